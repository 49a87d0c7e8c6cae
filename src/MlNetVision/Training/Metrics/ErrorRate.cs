using static TorchSharp.torch;

namespace MlNetVision.Training.Metrics;

/// <summary>Share of items whose highest-scoring class is not the target: <c>1 − accuracy</c> (fastai <c>error_rate</c>).</summary>
public sealed class ErrorRate : Metric
{
    /// <inheritdoc/>
    public override string Name => "error_rate";

    /// <inheritdoc/>
    public override bool LowerIsBetter => true;

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor output, Tensor targets) =>
        output.argmax(1).ne(targets).to_type(ScalarType.Float32).mean();
}
