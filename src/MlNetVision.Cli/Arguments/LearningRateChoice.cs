using System.Globalization;

namespace MlNetVision.Cli.Arguments;

/// <summary>
/// The value of <c>--lr</c>: <c>auto</c> (run the LR finder and use its suggestion), one number <c>v</c> (fastai's
/// <c>slice(v)</c>: <c>v/10</c> for the body, <c>v</c> for the head) or <c>lo:hi</c> (fastai's <c>slice(lo, hi)</c>,
/// spread geometrically over the layer groups).
/// </summary>
public sealed record LearningRateChoice(bool IsAuto, double? Low, double High)
{
    /// <summary>The <c>auto</c> choice.</summary>
    public static LearningRateChoice Auto { get; } = new(true, null, double.NaN);

    /// <summary>Parses <c>auto</c>, <c>v</c> or <c>lo:hi</c>; returns <see langword="null"/> and an error message when the text is not one of them.</summary>
    public static LearningRateChoice? TryParse(string text, out string? error)
    {
        error = null;
        text = text.Trim();
        if (text.Equals("auto", StringComparison.OrdinalIgnoreCase)) return Auto;
        var parts = text.Split(':');
        if (parts.Length == 1)
        {
            if (TryRate(parts[0], out var v)) return new LearningRateChoice(false, null, v);
        }
        else if (parts.Length == 2 && TryRate(parts[0], out var lo) && TryRate(parts[1], out var hi))
        {
            if (lo <= hi) return new LearningRateChoice(false, lo, hi);
            error = $"--lr '{text}': the low end of a range must not exceed the high end (lo:hi, for example 1e-6:1e-4).";
            return null;
        }
        error = $"--lr '{text}' is not valid: use auto, a positive number (1e-4) or a range lo:hi (1e-6:1e-4).";
        return null;
    }

    private static bool TryRate(string s, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value > 0 && double.IsFinite(value);

    /// <summary><c>auto</c>, <c>slice(v)</c> or <c>slice(lo, hi)</c>.</summary>
    public override string ToString() =>
        IsAuto ? "auto"
        : Low is { } lo ? $"slice({lo.ToString("G4", CultureInfo.InvariantCulture)}, {High.ToString("G4", CultureInfo.InvariantCulture)})"
        : $"slice({High.ToString("G4", CultureInfo.InvariantCulture)})";
}
