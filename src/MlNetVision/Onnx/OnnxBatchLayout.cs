namespace MlNetVision.Onnx;

/// <summary>How many images one call of the exported network takes.</summary>
public enum OnnxBatchLayout
{
    /// <summary>
    /// Any number of images: input <c>[N, 3, H, W]</c>, probabilities <c>[N, C]</c>, predicted index <c>[N]</c> (int64).
    /// For ONNX Runtime and other batch consumers.
    /// </summary>
    Dynamic,

    /// <summary>
    /// One image per call: input <c>[1, 3, H, W]</c>, probabilities <c>[C]</c>, predicted index <c>[1]</c> (int64).
    /// This is what ML.NET's <c>ApplyOnnxModel</c> wants: it scores row by row, so <c>[C]</c> becomes a known-size
    /// <c>Score</c> vector. (A rank-0 index would be the natural scalar, but ML.NET 5's ONNX transformer fails to read
    /// rank-0 outputs, so the index stays a one-element vector.)
    /// </summary>
    SingleImage,
}
