using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MlNetVision.Models;

/// <summary>
/// A ResNet without its average pool and classifier (fastai's body, <c>cut = -2</c>): stem, then four stages.
/// Input is already normalised for the weights; output is <c>[B, NumFeatures, H/32, W/32]</c>. Parameter names follow
/// torchvision (<c>conv1.weight</c>, <c>layer1.0.bn2.running_mean</c>, ...), so torchvision state dicts load as they are.
/// </summary>
public sealed class ResNetBody : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;
    private readonly PaddingStyle _padding;

    /// <summary>Builds the body of <paramref name="architecture"/> with freshly initialised weights (Kaiming normal, fan-out, as torchvision).</summary>
    public ResNetBody(ResNetArchitecture architecture) : base(nameof(ResNetBody))
    {
        Architecture = architecture;
        var padding = architecture.Padding;
        _padding = padding;
        conv1 = Conv2d(3, 64, 7, stride: 2, padding: ResNetPadding.Own(padding, 7, 2), bias: false);
        bn1 = BatchNorm2d(64);
        int inPlanes = 64;
        Sequential Stage(int planes, int blocks, int stride)
        {
            var modules = new List<Module<Tensor, Tensor>>();
            for (int i = 0; i < blocks; i++)
            {
                int s = i == 0 ? stride : 1;
                modules.Add(architecture.Block == ResNetBlock.Basic
                    ? new BasicBlock(inPlanes, planes, s, padding)
                    : new Bottleneck(inPlanes, planes, s, padding));
                inPlanes = planes * architecture.Expansion;
            }
            return Sequential(modules);
        }
        layer1 = Stage(64, architecture.Layers[0], 1);
        layer2 = Stage(128, architecture.Layers[1], 2);
        layer3 = Stage(256, architecture.Layers[2], 2);
        layer4 = Stage(512, architecture.Layers[3], 2);
        RegisterComponents();

        foreach (var (_, m) in named_modules())
        {
            if (m is Conv2d conv) init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
        }
    }

    /// <summary>The architecture this body was built from.</summary>
    public ResNetArchitecture Architecture { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // Both padding styles pad symmetrically here: for stride 2 that is CNTK's SAME_LOWER (see ResNetPadding).
        var y = functional.relu(bn1.call(conv1.call(x)));
        y = functional.max_pool2d(y, 3, 2, ResNetPadding.Own(_padding, 3, 2));
        y = layer4.call(layer3.call(layer2.call(layer1.call(y))));
        return y.MoveToOuterDisposeScope();
    }
}
