using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MlNetVision.Models;

/// <summary>
/// Padding helpers shared by the stem and the blocks, so one body serves both padding styles. torchvision pads every
/// convolution symmetrically by <c>kernel / 2</c> (the layer does it). ML.NET's CNTK export pads its strided layers
/// "SAME" with the odd pixel first (ONNX's <c>auto_pad = SAME_LOWER</c>): the output side is <c>ceil(n / stride)</c>
/// and the total padding <c>(out - 1) · stride + kernel - n</c> is split with the larger half at the top and left.
/// For the even sides of a 224 input that is (1, 0) for 3x3 convolutions and the max pool and (3, 2) for the 7x7 stem;
/// an odd side gets symmetric padding, so the strided 3x3 convolution and the 1x1 shortcut agree on every size.
/// </summary>
internal static class ResNetPadding
{
    /// <summary>Whether the layer is padded explicitly, from its input's size, rather than by the layer itself.</summary>
    public static bool IsSameLower(PaddingStyle style, int kernel, int stride) =>
        style == PaddingStyle.CntkAsymmetric && stride == 2 && kernel > 1;

    /// <summary>The symmetric padding the layer applies itself when no explicit padding is needed.</summary>
    public static long Own(PaddingStyle style, int kernel, int stride) => IsSameLower(style, kernel, stride) ? 0 : kernel / 2;

    /// <summary>The (before, after) padding of one side of length <paramref name="n"/> for ONNX's <c>SAME_LOWER</c>.</summary>
    public static (long Before, long After) SameLower(long n, int kernel, int stride)
    {
        var output = (n + stride - 1) / stride;
        var total = Math.Max((output - 1) * stride + kernel - n, 0);
        return (total - total / 2, total / 2);
    }

    /// <summary>Pads <paramref name="x"/> [N,C,H,W] with zeros as <see cref="SameLower"/> says, when the layer needs it.</summary>
    public static Tensor Apply(Tensor x, PaddingStyle style, int kernel, int stride)
    {
        if (!IsSameLower(style, kernel, stride)) return x;
        var (top, bottom) = SameLower(x.shape[2], kernel, stride);
        var (left, right) = SameLower(x.shape[3], kernel, stride);
        return functional.pad(x, [left, right, top, bottom], PaddingModes.Constant, 0);
    }
}
