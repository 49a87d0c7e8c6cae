using static TorchSharp.torch;

namespace MlNetVision.Training.Losses;

/// <summary>
/// The training and validation loss of a learner (fastai <c>loss_func</c>): logits <c>[B, C]</c> and int64 class
/// indices <c>[B]</c> in, a loss out. Chosen with <see cref="LearnerOptions.Loss"/>.
/// </summary>
public abstract class LossFunction
{
    /// <summary>A short name for tables and messages.</summary>
    public abstract string Name { get; }

    /// <summary>The loss of <paramref name="logits"/> against <paramref name="targets"/>.</summary>
    /// <param name="logits">float <c>[B, C]</c>, before softmax.</param>
    /// <param name="targets">int64 <c>[B]</c> class indices.</param>
    /// <param name="reduction">Mean (a scalar, what training minimises), Sum (a scalar) or None (one loss per item, <c>[B]</c>).</param>
    /// <returns>A new tensor in the caller's dispose scope.</returns>
    public abstract Tensor Compute(Tensor logits, Tensor targets, nn.Reduction reduction = nn.Reduction.Mean);

    /// <inheritdoc/>
    public override string ToString() => Name;
}
