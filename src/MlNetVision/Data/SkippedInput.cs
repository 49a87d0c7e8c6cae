namespace MlNetVision.Data;

/// <summary>One input the bunch left out, and why.</summary>
/// <param name="Source">The file, folder, CSV row or data-view row concerned.</param>
/// <param name="Reason">Why it was left out.</param>
public sealed record SkippedInput(string Source, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Source}: {Reason}";
}
