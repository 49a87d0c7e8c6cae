using static TorchSharp.torch;

namespace MlNetVision.Training.Metrics;

/// <summary>Share of items whose target is among the <see cref="K"/> highest-scoring classes (fastai <c>top_k_accuracy</c>, k = 5 by default).</summary>
public sealed class TopKAccuracy : Metric
{
    /// <summary>Creates the metric for the top <paramref name="k"/> classes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    public TopKAccuracy(int k = 5)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be positive.");
        K = k;
    }

    /// <summary>How many of the best classes count as a hit.</summary>
    public int K { get; }

    /// <inheritdoc/>
    public override string Name => $"top_{K}_accuracy";

    /// <inheritdoc/>
    protected override Tensor Compute(Tensor output, Tensor targets)
    {
        var k = (int)Math.Min(K, output.shape[1]);
        var top = output.topk(k, dim: 1).indexes;
        return top.eq(targets.unsqueeze(1)).any(1).to_type(ScalarType.Float32).mean();
    }
}
