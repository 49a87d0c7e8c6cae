namespace MlNetVision.Interpretation;

/// <summary>A PNG picture to show in a report, with a title and an optional caption.</summary>
/// <param name="Title">The heading shown above the picture.</param>
/// <param name="Png">The encoded PNG bytes.</param>
/// <param name="Caption">An optional line of text shown under the picture.</param>
public sealed record ReportImage(string Title, byte[] Png, string? Caption = null);
