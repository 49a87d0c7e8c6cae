using static TorchSharp.torch;

namespace MlNetVision.Tests;

/// <summary>Tensor comparisons the tests share.</summary>
internal static class TestTensors
{
    /// <summary>Bitwise: same shape, type and bytes (so -0 and NaN payloads count too).</summary>
    public static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.dtype == b.dtype && a.contiguous().bytes.SequenceEqual(b.contiguous().bytes);
}
