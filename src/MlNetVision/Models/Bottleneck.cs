using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MlNetVision.Models;

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

    /// <summary>Creates a block from <paramref name="inPlanes"/> to <c>4 * planes</c> channels.</summary>
    public Bottleneck(int inPlanes, int planes, int stride, PaddingStyle padding) : base(nameof(Bottleneck))
    {
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
        var out2 = functional.relu(bn2.call(conv2.call(out1)));
        var out3 = bn3.call(conv3.call(out2));
        var identity = downsample is null ? x : downsample.call(x);
        return functional.relu(out3.add_(identity)).MoveToOuterDisposeScope();
    }
}
