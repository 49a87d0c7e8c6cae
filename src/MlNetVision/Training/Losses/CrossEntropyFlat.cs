using static TorchSharp.torch;

namespace MlNetVision.Training.Losses;

/// <summary>
/// Plain cross-entropy over the classes, what fastai's <c>cnn_learner</c> picks for single-label classification
/// (fastai v2 <c>CrossEntropyLossFlat</c>, v1 <c>CrossEntropyFlat</c>): <c>−log softmax(logits)[target]</c>.
/// </summary>
public sealed class CrossEntropyFlat : LossFunction
{
    /// <inheritdoc/>
    public override string Name => "cross_entropy";

    /// <inheritdoc/>
    public override Tensor Compute(Tensor logits, Tensor targets, nn.Reduction reduction = nn.Reduction.Mean) =>
        nn.functional.cross_entropy(logits, targets, reduction: reduction);
}
