using MlNetVision.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Training.Callbacks;

/// <summary>
/// MixUp (Zhang et al. 2017) with fastai v2's semantics (<c>callback/mixup.py</c>, <c>MixUp(alpha=0.4)</c>): before
/// every training batch, each item <c>i</c> draws <c>λᵢ ~ Beta(α, α)</c>, kept as <c>max(λᵢ, 1 − λᵢ)</c>, and a random
/// permutation <c>s</c> pairs it with another item; the model sees <c>λᵢ·xᵢ + (1 − λᵢ)·x_sᵢ</c> and the loss is
/// <c>mean(λᵢ·L(ŷᵢ, yᵢ) + (1 − λᵢ)·L(ŷᵢ, y_sᵢ))</c> with the learner's own loss <c>L</c>. Validation, its loss and the
/// metrics see the un-mixed images and targets. Random draws come from torch's generator, so a seeded fit stays reproducible.
/// </summary>
public sealed class MixUp : LearnerCallback
{
    /// <summary>Default of <see cref="Alpha"/> (fastai v2 <c>MixUp(alpha=.4)</c>).</summary>
    public const double DefaultAlpha = 0.4;

    /// <summary>Creates the callback with the Beta distribution's <paramref name="alpha"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not positive.</exception>
    public MixUp(double alpha = DefaultAlpha)
    {
        if (!(alpha > 0) || double.IsInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Alpha must be a positive number.");
        Alpha = alpha;
    }

    /// <summary>The parameter of the symmetric Beta distribution the mixing weights are drawn from.</summary>
    /// <value>The default value is 0.4.</value>
    public double Alpha { get; }

    /// <summary>The current batch's weights <c>λ</c> of the original items, float32 <c>[B]</c>, each in 0.5..1 (fastai <c>self.lam</c>); valid during the batch.</summary>
    public Tensor? Lambda { get; private set; }

    /// <summary>The current batch's permutation: item <c>i</c> is mixed with item <c>Shuffle[i]</c>, int64 <c>[B]</c>; valid during the batch.</summary>
    public Tensor? Shuffle { get; private set; }

    /// <summary>Runs before the other callbacks' <c>BeforeBatch</c>, as fastai's order 0 among user callbacks.</summary>
    public override int Order => -10;

    /// <inheritdoc/>
    public override void BeforeBatch(Learner learner)
    {
        var state = learner.State;
        if (!state.Training) return; // validation batches get the batch events too; they are never mixed
        var images = state.Images ?? throw new InvalidOperationException("MixUp runs on training batches only.");
        var labels = state.Labels!;
        long n = labels.shape[0];
        using var concentration = torch.tensor((float)Alpha);
        var beta = torch.distributions.Beta(concentration, concentration);
        var draw = beta.sample(n).to_type(images.dtype).to(images.device);
        var lambda = torch.maximum(draw, 1 - draw);
        var shuffle = torch.randperm(n, device: images.device);
        var partner = images.index_select(0, shuffle);
        // torch.lerp(partner, images, λ) = partner + λ·(images − partner), as fastai writes it.
        state.Images = partner.add(images.sub(partner).mul_(lambda.view(n, 1, 1, 1)));
        state.BatchLoss = new MixedLoss(learner.Options.Loss, labels.index_select(0, shuffle), lambda);
        Lambda = lambda;
        Shuffle = shuffle;
    }

    /// <inheritdoc/>
    public override void AfterBatch(Learner learner)
    {
        Lambda = null;
        Shuffle = null;
    }

    /// <summary>The mixed loss of one batch: <c>λ·L(ŷ, y) + (1 − λ)·L(ŷ, y_s)</c> per item, then reduced.</summary>
    private sealed class MixedLoss(LossFunction inner, Tensor partnerTargets, Tensor lambda) : LossFunction
    {
        public override string Name => "mixup_" + inner.Name;

        public override Tensor Compute(Tensor logits, Tensor targets, nn.Reduction reduction = nn.Reduction.Mean)
        {
            using var scope = torch.NewDisposeScope();
            var partner = inner.Compute(logits, partnerTargets, nn.Reduction.None);
            var own = inner.Compute(logits, targets, nn.Reduction.None);
            var perItem = partner.add(own.sub(partner).mul_(lambda.to_type(own.dtype)));
            var result = reduction switch
            {
                nn.Reduction.None => perItem,
                nn.Reduction.Sum => perItem.sum(),
                _ => perItem.mean(),
            };
            return result.MoveToOuterDisposeScope();
        }
    }
}
