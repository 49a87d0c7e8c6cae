using System.Globalization;

namespace MlNetVision.Training;

/// <summary>
/// A learning rate for the layer groups of a model: one number for every group, or fastai's <c>slice</c>.
/// <c>Slice(lo, hi)</c> spreads rates geometrically from the first group to the last; <c>Slice(hi)</c> gives
/// <c>hi / 10</c> to every group but the last, which gets <c>hi</c> (fastai v1 <c>Learner.lr_range</c>, basic_train.py).
/// </summary>
public readonly record struct LearningRate
{
    private LearningRate(double? low, double high, bool isSlice)
    {
        if (!(high > 0) || double.IsInfinity(high)) throw new ArgumentOutOfRangeException(nameof(high), high, "A learning rate must be a positive finite number.");
        if (low is { } l && (!(l > 0) || double.IsInfinity(l))) throw new ArgumentOutOfRangeException(nameof(low), low, "A learning rate must be a positive finite number.");
        Low = low;
        High = high;
        IsSlice = isSlice;
    }

    /// <summary>The default learning rate of fastai v1's <c>fit_one_cycle</c>: <c>slice(3e-3)</c> (<c>defaults.lr</c>, basic_train.py).</summary>
    public static LearningRate Default => Slice(3e-3);

    /// <summary>The rate of the first group for <c>Slice(lo, hi)</c>; <see langword="null"/> for a single rate or <c>Slice(hi)</c>.</summary>
    public double? Low { get; }

    /// <summary>The rate of the last layer group (the head); for a single rate, the rate of every group.</summary>
    public double High { get; }

    /// <summary>Whether this is a fastai <c>slice</c> rather than one number for all groups.</summary>
    public bool IsSlice { get; }

    /// <summary>One rate for every layer group.</summary>
    public static LearningRate Constant(double lr) => new(null, lr, false);

    /// <summary>fastai's <c>slice(hi)</c>: <c>hi / 10</c> for every group but the last, <c>hi</c> for the last.</summary>
    public static LearningRate Slice(double hi) => new(null, hi, true);

    /// <summary>fastai's <c>slice(lo, hi)</c>: rates spread geometrically from <paramref name="lo"/> (first group) to <paramref name="hi"/> (last group).</summary>
    public static LearningRate Slice(double lo, double hi) => new(lo, hi, true);

    /// <summary>One number for every group.</summary>
    public static implicit operator LearningRate(double lr) => Constant(lr);

    /// <summary>The rate of each of <paramref name="groupCount"/> layer groups, first group first.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="groupCount"/> is not positive.</exception>
    public double[] ForGroups(int groupCount)
    {
        if (groupCount < 1) throw new ArgumentOutOfRangeException(nameof(groupCount), groupCount, "There must be at least one layer group.");
        var rates = new double[groupCount];
        if (!IsSlice)
        {
            Array.Fill(rates, High);
        }
        else if (Low is { } lo)
        {
            if (groupCount == 1) { rates[0] = High; return rates; }
            // fastai v1 even_mults: start * (stop/start)^(i/(n-1)).
            var step = Math.Pow(High / lo, 1.0 / (groupCount - 1));
            for (int i = 0; i < groupCount; i++) rates[i] = lo * Math.Pow(step, i);
            rates[^1] = High;
        }
        else
        {
            Array.Fill(rates, High / 10);
            rates[^1] = High;
        }
        return rates;
    }

    /// <summary>Scales every rate by <paramref name="factor"/>, keeping the shape (single or slice).</summary>
    public LearningRate Scale(double factor) => new(Low * factor, High * factor, IsSlice);

    /// <summary>Python-like text: <c>0.001</c>, <c>slice(0.003)</c> or <c>slice(1E-06, 0.0001)</c>.</summary>
    public override string ToString() =>
        !IsSlice ? High.ToString("G4", CultureInfo.InvariantCulture)
        : Low is { } lo ? $"slice({lo.ToString("G4", CultureInfo.InvariantCulture)}, {High.ToString("G4", CultureInfo.InvariantCulture)})"
        : $"slice({High.ToString("G4", CultureInfo.InvariantCulture)})";
}
