using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Training.Callbacks;

/// <summary>
/// MixUp (Zhang et al. 2017) with fastai v2's semantics (<c>callback/mixup.py</c>, <c>MixUp(alpha=0.4)</c>): before
/// every training batch, each item <c>i</c> draws <c>λᵢ ~ Beta(α, α)</c>, kept as <c>max(λᵢ, 1 − λᵢ)</c>, and a random
/// permutation <c>s</c> pairs it with another item; the model sees <c>λᵢ·xᵢ + (1 − λᵢ)·x_sᵢ</c> and the loss is
/// <c>mean(λᵢ·L(ŷᵢ, yᵢ) + (1 − λᵢ)·L(ŷᵢ, y_sᵢ))</c> (see <see cref="MixHandler"/>). Validation, its loss and the metrics
/// see the un-mixed images and targets.
/// </summary>
public sealed class MixUp : MixHandler
{
    /// <summary>Default of <see cref="MixHandler.Alpha"/> (fastai v2 <c>MixUp(alpha=.4)</c>).</summary>
    public const double DefaultAlpha = 0.4;

    /// <summary>Creates the callback with the Beta distribution's <paramref name="alpha"/> (default 0.4).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not positive.</exception>
    public MixUp(double alpha = DefaultAlpha) : base(alpha) { }

    /// <inheritdoc/>
    protected override string LossPrefix => "mixup";

    /// <inheritdoc/>
    protected override (Tensor Images, Tensor Shuffle, Tensor Lambda) Mix(Tensor images)
    {
        long n = images.shape[0];
        var draw = SampleLambda(n, images);
        var lambda = torch.maximum(draw, 1 - draw);
        var shuffle = torch.randperm(n, device: images.device);
        var partner = images.index_select(0, shuffle);
        // torch.lerp(partner, images, λ) = partner + λ·(images − partner), as fastai writes it.
        return (partner.add(images.sub(partner).mul_(lambda.view(n, 1, 1, 1))), shuffle, lambda);
    }
}
