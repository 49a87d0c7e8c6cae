using MlNetVision.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Training.Callbacks;

/// <summary>
/// What <see cref="MixUp"/> and <see cref="CutMix"/> share (fastai v2 <c>MixHandler</c>, <c>callback/mixup.py</c>):
/// before every training batch a subclass mixes each item <c>i</c> with item <c>Shuffle[i]</c> of a random permutation
/// and says how much of the original each item keeps (<c>λᵢ</c>); the loss of the batch is then
/// <c>mean(λᵢ·L(ŷᵢ, yᵢ) + (1 − λᵢ)·L(ŷᵢ, y_sᵢ))</c> with the learner's own loss <c>L</c>. Validation batches, their loss
/// and the metrics see the un-mixed images and targets. Random draws come from torch's generator, so a seeded fit stays reproducible.
/// </summary>
public abstract class MixHandler : LearnerCallback
{
    /// <summary>Checks and keeps the Beta distribution's <paramref name="alpha"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is not a positive finite number.</exception>
    protected MixHandler(double alpha)
    {
        if (!(alpha > 0) || double.IsInfinity(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Alpha must be a positive number.");
        Alpha = alpha;
    }

    /// <summary>The parameter of the symmetric Beta distribution <c>λ</c> is drawn from.</summary>
    public double Alpha { get; }

    /// <summary>The current batch's weights <c>λ</c> of the original items, float32 <c>[B]</c> (fastai <c>self.lam</c>); valid during a training batch.</summary>
    public Tensor? Lambda { get; private set; }

    /// <summary>The current batch's permutation: item <c>i</c> is mixed with item <c>Shuffle[i]</c>, int64 <c>[B]</c>; valid during a training batch.</summary>
    public Tensor? Shuffle { get; private set; }

    /// <summary>Runs before the other callbacks' <c>BeforeBatch</c>, as fastai's order 0 among user callbacks.</summary>
    public override int Order => -10;

    /// <summary>The word the mixed loss's name starts with (<c>mixup</c>, <c>cutmix</c>).</summary>
    protected abstract string LossPrefix { get; }

    /// <summary>
    /// Mixes one training batch: returns the images the model sees, the permutation and each item's share <c>λ</c> of its
    /// original (float <c>[B]</c>), all made in the step's dispose scope.
    /// </summary>
    /// <param name="images">The batch, float32 <c>[B, 3, H, W]</c>; not to be changed in place.</param>
    protected abstract (Tensor Images, Tensor Shuffle, Tensor Lambda) Mix(Tensor images);

    /// <summary>Draws <paramref name="count"/> values from <c>Beta(α, α)</c> with torch's generator, as <paramref name="like"/>'s type and device.</summary>
    protected Tensor SampleLambda(long count, Tensor like)
    {
        ArgumentNullException.ThrowIfNull(like);
        using var concentration = torch.tensor((float)Alpha);
        return torch.distributions.Beta(concentration, concentration).sample(count).to_type(like.dtype).to(like.device);
    }

    /// <inheritdoc/>
    public sealed override void BeforeBatch(Learner learner)
    {
        var state = learner.State;
        if (!state.Training) return; // validation batches get the batch events too; they are never mixed
        var images = state.Images ?? throw new InvalidOperationException($"{GetType().Name} runs on training batches only.");
        var (mixed, shuffle, lambda) = Mix(images);
        state.Images = mixed;
        state.BatchLoss = new MixedLoss(LossPrefix, learner.Options.Loss, state.Labels!.index_select(0, shuffle), lambda);
        Lambda = lambda;
        Shuffle = shuffle;
    }

    /// <inheritdoc/>
    public override void AfterBatch(Learner learner)
    {
        Lambda = null;
        Shuffle = null;
    }

    /// <summary>fastai's repr: the type and its alpha, e.g. <c>MixUp(alpha=0.4)</c>.</summary>
    public override string ToString() => $"{GetType().Name}(alpha={Alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

    /// <summary>The mixed loss of one batch: <c>λ·L(ŷ, y) + (1 − λ)·L(ŷ, y_s)</c> per item, then reduced.</summary>
    private sealed class MixedLoss(string prefix, LossFunction inner, Tensor partnerTargets, Tensor lambda) : LossFunction
    {
        public override string Name => prefix + "_" + inner.Name;

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
