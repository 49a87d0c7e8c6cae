namespace MlNetVision.Training;

/// <summary>
/// The learning-rate finder's curve (learning rate and smoothed loss per iteration) and its suggestions:
/// <see cref="Valley"/> (fastai v2's default), <see cref="Steepest"/> (steepest descent) and <see cref="MinimumDiv10"/>
/// (the rate of the lowest loss divided by 10). Suggestions use the curve without its first tenth and last five
/// points, as fastai v2's <c>lr_find</c> does, and stop at the first non-finite loss.
/// </summary>
public sealed class LrFindResult
{
    /// <summary>Creates the result from the recorded curve.</summary>
    public LrFindResult(IReadOnlyList<double> learningRates, IReadOnlyList<double> losses, string? stopReason = null)
    {
        if (learningRates.Count != losses.Count) throw new ArgumentException("One loss per learning rate.", nameof(losses));
        LearningRates = learningRates;
        Losses = losses;
        StopReason = stopReason;
        var (lrs, ls) = Trimmed();
        if (lrs.Length >= 2)
        {
            Valley = ValleyOf(lrs, ls);
            Steepest = SteepestOf(lrs, ls);
            MinimumDiv10 = lrs[Array.IndexOf(ls, ls.Min())] / 10;
        }
    }

    /// <summary>The learning rate of each iteration.</summary>
    public IReadOnlyList<double> LearningRates { get; }

    /// <summary>The smoothed training loss after each iteration.</summary>
    public IReadOnlyList<double> Losses { get; }

    /// <summary>Why the sweep ended early (loss diverged), or <see langword="null"/> when it ran all iterations.</summary>
    public string? StopReason { get; }

    /// <summary>fastai v2's <c>valley</c>: a rate about half-way into the longest run over which the loss keeps decreasing (the default suggestion).</summary>
    public double? Valley { get; }

    /// <summary>fastai's <c>steep</c>: the rate where the loss falls fastest against log(lr).</summary>
    public double? Steepest { get; }

    /// <summary>fastai's <c>minimum</c>: the rate of the lowest loss, divided by 10.</summary>
    public double? MinimumDiv10 { get; }

    /// <summary>The default suggestion, <see cref="Valley"/>.</summary>
    public double? Suggested => Valley;

    /// <summary>The smoothed loss at the recorded rate nearest to <paramref name="lr"/> (on a log scale).</summary>
    public double LossAt(double lr)
    {
        int best = 0;
        for (int i = 1; i < LearningRates.Count; i++)
            if (Math.Abs(Math.Log(LearningRates[i] / lr)) < Math.Abs(Math.Log(LearningRates[best] / lr))) best = i;
        return Losses[best];
    }

    private (double[] Lrs, double[] Losses) Trimmed()
    {
        int end = 0;
        while (end < Losses.Count && double.IsFinite(Losses[end])) end++;
        int skipStart = LearningRates.Count / 10, skipEnd = 5;
        if (end - skipStart - skipEnd < 3) { skipStart = 0; skipEnd = 0; }
        var lrs = LearningRates.Take(end).Skip(skipStart).SkipLast(skipEnd).ToArray();
        var ls = Losses.Take(end).Skip(skipStart).SkipLast(skipEnd).ToArray();
        return (lrs, ls);
    }

    // fastai v2 callback/schedule.py `valley`: longest decreasing subsequence ending anywhere; pick the point
    // int(len/3) + int(len/6) after its start.
    private static double ValleyOf(double[] lrs, double[] losses)
    {
        int n = losses.Length;
        var lds = Enumerable.Repeat(1, n).ToArray();
        int maxStart = 0, maxEnd = 0;
        for (int i = 1; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (losses[i] < losses[j] && lds[i] < lds[j] + 1) lds[i] = lds[j] + 1;
                if (lds[maxEnd] < lds[i])
                {
                    maxEnd = i;
                    maxStart = maxEnd - lds[maxEnd];
                }
            }
        }
        var sections = (maxEnd - maxStart) / 3.0;
        var idx = Math.Clamp(maxStart + (int)sections + (int)(sections / 2), 0, n - 1);
        return lrs[idx];
    }

    // fastai `steep`: argmin of d(loss)/d(log lr) between neighbours.
    private static double SteepestOf(double[] lrs, double[] losses)
    {
        int best = 0;
        double bestGrad = double.PositiveInfinity;
        for (int i = 0; i < losses.Length - 1; i++)
        {
            var grad = (losses[i + 1] - losses[i]) / (Math.Log(lrs[i + 1]) - Math.Log(lrs[i]));
            if (grad < bestGrad) { bestGrad = grad; best = i; }
        }
        return lrs[best];
    }
}
