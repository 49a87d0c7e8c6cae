using static TorchSharp.torch;

namespace MlNetVision.Training.Metrics;

/// <summary>Share of items whose highest-scoring class is the target (fastai <c>accuracy</c>).</summary>
public sealed class Accuracy : Metric
{
    /// <inheritdoc/>
    public override string Name => "accuracy";

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor output, Tensor targets) =>
        output.argmax(1).eq(targets).to_type(ScalarType.Float32).mean();
}
