using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Models;

/// <summary>fastai's concat pooling: adaptive max pool and adaptive average pool to 1x1, concatenated (max first), so <c>nf</c> maps give <c>2·nf</c> features.</summary>
public sealed class AdaptiveConcatPool2d : nn.Module<Tensor, Tensor>
{
    /// <summary>Creates the layer.</summary>
    public AdaptiveConcatPool2d() : base(nameof(AdaptiveConcatPool2d)) => RegisterComponents();

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = cat([nn.functional.adaptive_max_pool2d(x, [1, 1]), nn.functional.adaptive_avg_pool2d(x, [1, 1])], 1);
        return y.MoveToOuterDisposeScope();
    }
}
