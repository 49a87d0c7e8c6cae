namespace MlNetVision.Onnx;

/// <summary>Options of <see cref="OnnxExporter"/>: the input layout, the graph's names and what the file records.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The default name of the pixel input.</summary>
    public const string DefaultInputName = "pixels";

    /// <summary>The default name of the probabilities output.</summary>
    public const string DefaultProbabilitiesName = "probabilities";

    /// <summary>The default name of the predicted-index output.</summary>
    public const string DefaultPredictedIndexName = "predicted_index";

    /// <summary>Name of the input: float <c>[N, 3, H, W]</c> planar RGB (or <c>[N, 4, H, W]</c> ARGB, see <see cref="PixelInput"/>), values in 0..<see cref="InputScale"/>.</summary>
    /// <value>The default is <c>"pixels"</c>.</value>
    public string InputName { get; init; } = DefaultInputName;

    /// <summary>Name of the output holding the softmax probabilities of the classes.</summary>
    /// <value>The default is <c>"probabilities"</c>.</value>
    public string ProbabilitiesName { get; init; } = DefaultProbabilitiesName;

    /// <summary>Name of the output holding the index of the most probable class (int64).</summary>
    /// <value>The default is <c>"predicted_index"</c>.</value>
    public string PredictedIndexName { get; init; } = DefaultPredictedIndexName;

    /// <summary>
    /// The value of a full-intensity pixel in the input. 255 takes the floats ML.NET's <c>ExtractPixels</c> produces
    /// with its defaults (planar RGB, 0..255, no offset or scale); 1 takes the library's own 0..1 tensors.
    /// </summary>
    /// <value>The default is 255 (ML.NET's <c>ExtractPixels</c> defaults).</value>
    public float InputScale { get; init; } = 255f;

    /// <summary>The image height the graph declares; <see langword="null"/> leaves it symbolic (any size works, the network pools globally).</summary>
    /// <value>The default is <see langword="null"/> (symbolic <c>height</c>). ML.NET needs a fixed size.</value>
    public int? Height { get; init; }

    /// <summary>The image width the graph declares; <see langword="null"/> leaves it symbolic.</summary>
    /// <value>The default is <see langword="null"/> (symbolic <c>width</c>). ML.NET needs a fixed size.</value>
    public int? Width { get; init; }

    /// <summary>Whether the graph takes a batch of images or exactly one (see <see cref="OnnxBatchLayout"/>).</summary>
    /// <value>The default is <see cref="OnnxBatchLayout.Dynamic"/>.</value>
    public OnnxBatchLayout BatchLayout { get; init; } = OnnxBatchLayout.Dynamic;

    /// <summary>Class names in index order, recorded in the file's metadata (<c>class_names</c>, one per line); optional.</summary>
    /// <value>The default is <see langword="null"/> (no class names recorded).</value>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Whether the input is RGB or ML.NET's premultiplied ARGB (composited onto white in the graph).</summary>
    /// <value>The default is <see cref="OnnxPixelInput.Rgb"/>. The ML.NET models this library builds use <see cref="OnnxPixelInput.PremultipliedArgb"/>.</value>
    public OnnxPixelInput PixelInput { get; init; } = OnnxPixelInput.Rgb;

    /// <summary>The ONNX operator set the graph is written for.</summary>
    /// <value>The default is 13 (supported by every ONNX Runtime since 1.6).</value>
    public int Opset { get; init; } = 13;

}
