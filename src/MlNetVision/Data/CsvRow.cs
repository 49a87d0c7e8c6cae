namespace MlNetVision.Data;

/// <summary>One data row of a CSV file.</summary>
/// <param name="LineNumber">The 1-based line number in the file (the header is line 1).</param>
/// <param name="Text">The line as written in the file.</param>
/// <param name="Fields">The fields, unquoted and not trimmed.</param>
public sealed record CsvRow(int LineNumber, string Text, IReadOnlyList<string> Fields);
