using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MlNetVision.Models;

/// <summary>Padding helpers shared by the stem and the blocks, so one body serves both padding styles.</summary>
internal static class ResNetPadding
{
    /// <summary>The explicit (left, right, top, bottom) padding for a convolution, or null when the layer pads itself.</summary>
    public static long[]? For(PaddingStyle style, int kernel, int stride) => style switch
    {
        PaddingStyle.CntkAsymmetric when stride == 2 && kernel == 3 => [1, 0, 1, 0],
        PaddingStyle.CntkAsymmetric when stride == 2 && kernel == 7 => [3, 2, 3, 2],
        _ => null,
    };

    /// <summary>The symmetric padding the layer applies itself when no explicit padding is needed.</summary>
    public static long Own(PaddingStyle style, int kernel, int stride) => For(style, kernel, stride) is null ? kernel / 2 : 0;

    public static Tensor Apply(Tensor x, long[]? pad) => pad is null ? x : functional.pad(x, pad, PaddingModes.Constant, 0);
}

/// <summary>The ResNet18/34 block: two 3x3 convolutions with a residual connection.</summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;
    private readonly long[]? _pad1;

    /// <summary>Creates a block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels.</summary>
    public BasicBlock(int inPlanes, int planes, int stride, PaddingStyle padding) : base(nameof(BasicBlock))
    {
        _pad1 = ResNetPadding.For(padding, 3, stride);
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
        var out1 = functional.relu(bn1.forward(conv1.forward(ResNetPadding.Apply(x, _pad1))));
        var out2 = bn2.forward(conv2.forward(out1));
        var identity = downsample is null ? x : downsample.forward(x);
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
    private readonly long[]? _pad2;

    /// <summary>Creates a block from <paramref name="inPlanes"/> to <c>4 * planes</c> channels.</summary>
    public Bottleneck(int inPlanes, int planes, int stride, PaddingStyle padding) : base(nameof(Bottleneck))
    {
        _pad2 = ResNetPadding.For(padding, 3, stride);
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
        var out1 = functional.relu(bn1.forward(conv1.forward(x)));
        var out2 = functional.relu(bn2.forward(conv2.forward(ResNetPadding.Apply(out1, _pad2))));
        var out3 = bn3.forward(conv3.forward(out2));
        var identity = downsample is null ? x : downsample.forward(x);
        return functional.relu(out3.add_(identity)).MoveToOuterDisposeScope();
    }
}
