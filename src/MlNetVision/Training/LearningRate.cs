using System.Globalization;

namespace MlNetVision.Training;

/// <summary>
/// A learning rate for the layer groups of a model: one number for every group, or fastai's <c>slice</c>.
/// <c>Slice(lo, hi)</c> spreads rates geometrically from the first group to the last; <c>Slice(hi)</c> gives
/// <c>hi / 10</c> to every group but the last, which gets <c>hi</c> (fastai v1 <c>Learner.lr_range</c>, basic_train.py).
/// <see cref="Auto"/> asks the fine-tuning recipe (<see cref="FineTuneRecipe"/>) to pick the rate with the learning-rate
/// finder; a fit cannot run at <c>Auto</c> directly. <see cref="Parse"/> reads the command line's forms.
/// </summary>
public readonly record struct LearningRate
{
    private LearningRate(double? low, double high, bool isSlice, bool isAuto = false)
    {
        if (isAuto)
        {
            High = double.NaN;
            IsAuto = true;
            return;
        }
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

    /// <summary>Whether this is <see cref="Auto"/>: the rate is to be chosen by the learning-rate finder.</summary>
    public bool IsAuto { get; }

    /// <summary>"Run the learning-rate finder and choose": resolved by <see cref="FineTuneRecipe"/> with its documented rule.</summary>
    public static LearningRate Auto => new(null, double.NaN, false, isAuto: true);

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
    /// <exception cref="InvalidOperationException">This is <see cref="Auto"/>, which has no rates until the finder ran.</exception>
    public double[] ForGroups(int groupCount)
    {
        if (IsAuto) throw new InvalidOperationException("LearningRate.Auto has no rates of its own: run it through FineTuneRecipe (which runs LrFind and picks a slice) or pick a rate from learner.LrFind().");
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
    /// <exception cref="InvalidOperationException">This is <see cref="Auto"/>.</exception>
    public LearningRate Scale(double factor) => IsAuto ? throw new InvalidOperationException("LearningRate.Auto cannot be scaled.") : new(Low * factor, High * factor, IsSlice);

    /// <summary>
    /// Parses the command line's forms: <c>auto</c>; one number <c>v</c>, which means <c>slice(v)</c> (<c>v/10</c> for the
    /// body groups, <c>v</c> for the head); a range <c>lo:hi</c>, which means <c>slice(lo, hi)</c>; and the
    /// <see cref="ToString"/> forms <c>slice(v)</c> and <c>slice(lo, hi)</c>. Numbers use the invariant culture.
    /// </summary>
    /// <exception cref="FormatException">The text is none of these, or a rate is not a positive finite number, or <c>lo &gt; hi</c>.</exception>
    public static LearningRate Parse(string text) =>
        TryParse(text, out var rate, out var error) ? rate : throw new FormatException(error);

    /// <summary>Like <see cref="Parse"/>, without throwing: returns whether <paramref name="text"/> parsed, and an explanation when not.</summary>
    public static bool TryParse(string? text, out LearningRate rate, out string? error)
    {
        rate = default;
        error = null;
        var t = (text ?? "").Trim();
        if (t.Equals("auto", StringComparison.OrdinalIgnoreCase)) { rate = Auto; return true; }
        if (t.StartsWith("slice(", StringComparison.OrdinalIgnoreCase) && t.EndsWith(')')) t = t[6..^1].Replace(',', ':');
        var parts = t.Split(':');
        if (parts.Length == 1 && TryRate(parts[0], out var v)) { rate = Slice(v); return true; }
        if (parts.Length == 2 && TryRate(parts[0], out var lo) && TryRate(parts[1], out var hi))
        {
            if (lo <= hi) { rate = Slice(lo, hi); return true; }
            error = $"'{text}': the low end of a range must not exceed the high end (lo:hi, for example 1e-6:1e-4).";
            return false;
        }
        error = $"'{text}' is not a learning rate: use auto, a positive number (1e-4) or a range lo:hi (1e-6:1e-4).";
        return false;
    }

    private static bool TryRate(string s, out double value) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value > 0 && double.IsFinite(value);

    /// <summary>Python-like text: <c>0.001</c>, <c>slice(0.003)</c>, <c>slice(1E-06, 0.0001)</c> or <c>auto</c>.</summary>
    public override string ToString() =>
        IsAuto ? "auto"
        : !IsSlice ? High.ToString("G4", CultureInfo.InvariantCulture)
        : Low is { } lo ? $"slice({lo.ToString("G4", CultureInfo.InvariantCulture)}, {High.ToString("G4", CultureInfo.InvariantCulture)})"
        : $"slice({High.ToString("G4", CultureInfo.InvariantCulture)})";
}
