namespace MlNetVision.Onnx;

/// <summary>What the exported network's pixel input holds.</summary>
public enum OnnxPixelInput
{
    /// <summary>Planar RGB, <c>[N, 3, H, W]</c>: ML.NET's <c>ExtractPixels</c> with its defaults, or the library's own tensors.
    /// Colour only: a transparent image must already be composited onto white to match the learner.</summary>
    Rgb,

    /// <summary>
    /// Planar alpha then premultiplied RGB, <c>[N, 4, H, W]</c>: ML.NET's <c>ExtractPixels</c> with
    /// <c>colorsToExtract: All</c> (order ARGB). The graph composites onto white first (<c>min(c + S − a, S)</c>, S the
    /// <see cref="OnnxExportOptions.InputScale"/>), as the learner's loader does, so transparent images score as they trained.
    /// </summary>
    PremultipliedArgb,
}
