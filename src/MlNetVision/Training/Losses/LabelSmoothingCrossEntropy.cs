using static TorchSharp.torch;

namespace MlNetVision.Training.Losses;

/// <summary>
/// Cross-entropy against smoothed targets (fastai v2 <c>LabelSmoothingCrossEntropy</c>, from "Rethinking the Inception
/// Architecture", Szegedy et al. 2015): with <c>C</c> classes and <c>log p = log_softmax(logits)</c>, the loss of one
/// item is <c>−(ε/C)·Σ_c log p_c − (1 − ε)·log p_target</c>, i.e. cross-entropy with the target <c>1 − ε + ε/C</c> on the
/// true class and <c>ε/C</c> on every other. The mean over the batch is what training minimises.
/// </summary>
public sealed class LabelSmoothingCrossEntropy : LossFunction
{
    /// <summary>Default of <see cref="Eps"/> (fastai v2 <c>LabelSmoothingCrossEntropy(eps=0.1)</c>).</summary>
    public const double DefaultEps = 0.1;

    /// <summary>Creates the loss with the smoothing <paramref name="eps"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="eps"/> is not in 0..1.</exception>
    public LabelSmoothingCrossEntropy(double eps = DefaultEps)
    {
        if (!(eps >= 0 && eps <= 1)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "The smoothing must be between 0 and 1.");
        Eps = eps;
    }

    /// <summary>The share of the target spread evenly over all classes.</summary>
    /// <value>The default value is 0.1 (fastai v2).</value>
    public double Eps { get; }

    /// <inheritdoc/>
    public override string Name => "label_smoothing_cross_entropy";

    /// <summary>The name and the smoothing, e.g. <c>label_smoothing_cross_entropy(eps=0.1)</c>.</summary>
    public override string ToString() => $"{Name}(eps={Eps.ToString(System.Globalization.CultureInfo.InvariantCulture)})";

    /// <inheritdoc/>
    public override Tensor Compute(Tensor logits, Tensor targets, nn.Reduction reduction = nn.Reduction.Mean)
    {
        using var scope = NewDisposeScope();
        long classes = logits.shape[1];
        var logProbs = nn.functional.log_softmax(logits, 1);
        var uniform = logProbs.sum(1).neg();
        var nll = nn.functional.nll_loss(logProbs, targets, reduction: nn.Reduction.None);
        var perItem = uniform.mul(Eps / classes).add_(nll, alpha: 1 - Eps);
        var result = reduction switch
        {
            nn.Reduction.None => perItem,
            nn.Reduction.Sum => perItem.sum(),
            _ => perItem.mean(),
        };
        return result.MoveToOuterDisposeScope();
    }
}
