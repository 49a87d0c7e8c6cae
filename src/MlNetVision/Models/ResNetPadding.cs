using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MlNetVision.Models;

/// <summary>
/// Padding of the stem and the blocks, for both padding styles. torchvision pads every convolution symmetrically by
/// <c>kernel / 2</c>. ML.NET's CNTK export pads its strided layers "SAME" with the odd pixel first (ONNX's
/// <c>auto_pad = SAME_LOWER</c>): the output side is <c>ceil(n / stride)</c> and the total padding
/// <c>(out - 1) · stride + kernel - n</c> is split with the larger half at the top and left.
/// <para>
/// For stride 2 and an odd kernel <c>k</c> that is the same computation as the layer's own symmetric padding of
/// <c>p = (k - 1) / 2</c>, on every side length <c>n</c>, so the body pads no copies of its feature maps. An odd
/// <c>n</c> gets a total of <c>k - 1</c>, i.e. <c>p</c> on both sides. An even <c>n</c> gets <c>k - 2</c>, i.e. <c>p</c>
/// before and <c>p - 1</c> after; symmetric padding adds one more zero row after, which no window reads: both give
/// <c>n / 2</c> outputs, and the last window starts at padded row <c>n - 2</c> and ends at <c>n - 2 + k - 1</c>, the last
/// row of the SAME_LOWER padding. Every window thus sees the same pixels and the same zeros. For the max pool the
/// layer pads with −∞ instead of zeros, which gives the same maximum because its input comes out of a ReLU (≥ 0) and
/// every window holds at least one real pixel (<c>p &lt; k</c>). The tests compare both ways bit for bit.
/// </para>
/// </summary>
internal static class ResNetPadding
{
    /// <summary>Whether the layer is one of CNTK's SAME_LOWER layers (the ONNX export writes <c>auto_pad</c> for them).</summary>
    public static bool IsSameLower(PaddingStyle style, int kernel, int stride) =>
        style == PaddingStyle.CntkAsymmetric && stride == 2 && kernel > 1;

    /// <summary>The symmetric padding the layer applies itself: <c>kernel / 2</c>, which equals SAME_LOWER where that applies (see the class).</summary>
    public static long Own(PaddingStyle style, int kernel, int stride) => kernel / 2;

    /// <summary>The (before, after) padding of one side of length <paramref name="n"/> for ONNX's <c>SAME_LOWER</c>.</summary>
    public static (long Before, long After) SameLower(long n, int kernel, int stride)
    {
        var output = (n + stride - 1) / stride;
        var total = Math.Max((output - 1) * stride + kernel - n, 0);
        return (total - total / 2, total / 2);
    }

    /// <summary>
    /// Pads <paramref name="x"/> [N,C,H,W] with zeros as <see cref="SameLower"/> says: CNTK's layout written out, the
    /// reference the tests compare the layers' own padding with.
    /// </summary>
    public static Tensor PadSameLower(Tensor x, int kernel, int stride)
    {
        var (top, bottom) = SameLower(x.shape[2], kernel, stride);
        var (left, right) = SameLower(x.shape[3], kernel, stride);
        return functional.pad(x, [left, right, top, bottom], PaddingModes.Constant, 0);
    }
}
