using static TorchSharp.torch;

namespace MlNetVision.Training.Metrics;

/// <summary>
/// A validation metric accumulated over the batches of an epoch. The value is the batch values weighted by batch
/// size, as fastai v1's <c>AverageMetric</c> computes it.
/// </summary>
public abstract class Metric
{
    private double _sum;
    private long _count;

    /// <summary>The column name shown in the epoch table (fastai's names: <c>error_rate</c>, <c>accuracy</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The value over the batches accumulated since <see cref="Reset"/>; NaN before any batch.</summary>
    public double Value => _count == 0 ? double.NaN : _sum / _count;

    /// <summary>Whether smaller values are better (true for error rates and losses).</summary>
    public virtual bool LowerIsBetter => false;

    /// <summary>Starts a new epoch.</summary>
    public void Reset() { _sum = 0; _count = 0; }

    /// <summary>Adds one batch: <paramref name="output"/> are the raw model outputs [B, C], <paramref name="targets"/> the int64 labels [B].</summary>
    public void Accumulate(Tensor output, Tensor targets)
    {
        var n = targets.shape[0];
        if (n == 0) return;
        using var scope = NewDisposeScope();
        _sum += Compute(output, targets).to_type(ScalarType.Float64).cpu().item<double>() * n;
        _count += n;
    }

    /// <summary>The metric of one batch as a scalar tensor.</summary>
    protected abstract Tensor Compute(Tensor output, Tensor targets);

    /// <summary>A metric from a function of (outputs, targets) returning a scalar tensor, averaged over items like the built-in ones.</summary>
    public static Metric FromFunction(string name, Func<Tensor, Tensor, Tensor> compute, bool lowerIsBetter = false) =>
        new FunctionMetric(name, compute, lowerIsBetter);

    private sealed class FunctionMetric(string name, Func<Tensor, Tensor, Tensor> compute, bool lowerIsBetter) : Metric
    {
        public override string Name => name;
        public override bool LowerIsBetter => lowerIsBetter;
        protected override Tensor Compute(Tensor output, Tensor targets) => compute(output, targets);
    }
}
