using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MlNetVision.Models;

/// <summary>The ResNet18/34 block: two 3x3 convolutions with a residual connection.</summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;

    /// <summary>Creates a block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels.</summary>
    public BasicBlock(int inPlanes, int planes, int stride, PaddingStyle padding) : base(nameof(BasicBlock))
    {
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
        var out1 = functional.relu(bn1.call(conv1.call(x)));
        var out2 = bn2.call(conv2.call(out1));
        var identity = downsample is null ? x : downsample.call(x);
        return functional.relu(out2.add_(identity)).MoveToOuterDisposeScope();
    }
}
