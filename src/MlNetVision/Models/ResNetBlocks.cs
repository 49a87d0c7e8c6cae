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

/// <summary>The ResNet18/34 block: two 3x3 convolutions with a residual connection.</summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;
    private readonly PaddingStyle _padding;
    private readonly int _stride;

    /// <summary>Creates a block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels.</summary>
    public BasicBlock(int inPlanes, int planes, int stride, PaddingStyle padding) : base(nameof(BasicBlock))
    {
        _padding = padding;
        _stride = stride;
        conv1 = Conv2d(inPlanes, planes, 3, stride: stride, padding: ResNetPadding.Own(padding, 3, stride), bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(planes);
        if (stride != 1 || inPlanes != planes)
            downsample = Sequential(Conv2d(inPlanes, planes, 1, stride: stride, bias: false), BatchNorm2d(planes));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var out1 = functional.relu(bn1.call(conv1.call(ResNetPadding.Apply(x, _padding, 3, _stride))));
        var out2 = bn2.call(conv2.call(out1));
        var identity = downsample is null ? x : downsample.call(x);
        return functional.relu(out2.add_(identity)).MoveToOuterDisposeScope();
    }
}

/// <summary>The ResNet50+ block: 1x1, 3x3 (strided) and 1x1 convolutions with a residual connection; expansion 4.</summary>
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv3;
    private readonly BatchNorm2d bn3;
    private readonly Sequential? downsample;
    private readonly PaddingStyle _padding;
    private readonly int _stride;

    /// <summary>Creates a block from <paramref name="inPlanes"/> to <c>4 * planes</c> channels.</summary>
    public Bottleneck(int inPlanes, int planes, int stride, PaddingStyle padding) : base(nameof(Bottleneck))
    {
        _padding = padding;
        _stride = stride;
        conv1 = Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: stride, padding: ResNetPadding.Own(padding, 3, stride), bias: false);
        bn2 = BatchNorm2d(planes);
        conv3 = Conv2d(planes, planes * 4, 1, bias: false);
        bn3 = BatchNorm2d(planes * 4);
        if (stride != 1 || inPlanes != planes * 4)
            downsample = Sequential(Conv2d(inPlanes, planes * 4, 1, stride: stride, bias: false), BatchNorm2d(planes * 4));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var out1 = functional.relu(bn1.call(conv1.call(x)));
        var out2 = functional.relu(bn2.call(conv2.call(ResNetPadding.Apply(out1, _padding, 3, _stride))));
        var out3 = bn3.call(conv3.call(out2));
        var identity = downsample is null ? x : downsample.call(x);
        return functional.relu(out3.add_(identity)).MoveToOuterDisposeScope();
    }
}
