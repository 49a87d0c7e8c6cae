namespace MlNetVision.Training.Schedules;

/// <summary>Annealing functions as tiny pure schedules (fastai <c>sched_lin</c>, <c>sched_cos</c>, <c>sched_exp</c>, <c>combine_scheds</c>).</summary>
public static class Annealing
{
    /// <summary>Cosine annealing from <paramref name="start"/> to <paramref name="end"/>: <c>end + (start-end)/2 · (cos(π·pos) + 1)</c> (fastai <c>annealing_cos</c>, PyTorch <c>OneCycleLR._annealing_cos</c>).</summary>
    public static double Cos(double start, double end, double position) => end + (start - end) / 2 * (Math.Cos(Math.PI * position) + 1);

    /// <summary>Linear annealing: <c>start + pos · (end - start)</c> (fastai <c>annealing_linear</c>).</summary>
    public static double Linear(double start, double end, double position) => start + position * (end - start);

    /// <summary>Exponential annealing: <c>start · (end/start)^pos</c> (fastai <c>annealing_exp</c>); used by the learning-rate finder.</summary>
    public static double Exponential(double start, double end, double position) => start * Math.Pow(end / start, position);

    /// <summary>A cosine schedule from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public static Schedule SchedCos(double start, double end) => p => Cos(start, end, p);

    /// <summary>A linear schedule from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public static Schedule SchedLin(double start, double end) => p => Linear(start, end, p);

    /// <summary>An exponential schedule from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public static Schedule SchedExp(double start, double end) => p => Exponential(start, end, p);

    /// <summary>A schedule that always returns <paramref name="value"/>.</summary>
    public static Schedule SchedConstant(double value) => _ => value;

    /// <summary>
    /// Chains <paramref name="schedules"/>, each over its share <paramref name="shares"/> of the whole (shares sum to 1),
    /// as fastai's <c>combine_scheds</c>: position <c>p</c> in the whole maps to the local position in the phase that holds it.
    /// </summary>
    /// <exception cref="ArgumentException">The lists differ in length, are empty, or the shares do not sum to 1.</exception>
    public static Schedule Combine(IReadOnlyList<double> shares, IReadOnlyList<Schedule> schedules)
    {
        if (shares.Count != schedules.Count || shares.Count == 0) throw new ArgumentException("Give one share per schedule.", nameof(shares));
        if (Math.Abs(shares.Sum() - 1) > 1e-9) throw new ArgumentException("The shares must sum to 1.", nameof(shares));
        var bounds = new double[shares.Count + 1];
        for (int i = 0; i < shares.Count; i++) bounds[i + 1] = bounds[i] + shares[i];
        return position =>
        {
            position = Math.Clamp(position, 0, 1);
            int idx = 0;
            while (idx < shares.Count - 1 && position >= bounds[idx + 1]) idx++;
            var local = shares[idx] <= 0 ? 1 : (position - bounds[idx]) / shares[idx];
            return schedules[idx](Math.Clamp(local, 0, 1));
        };
    }
}
