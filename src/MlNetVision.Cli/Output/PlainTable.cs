namespace MlNetVision.Cli.Output;

/// <summary>Lays out rows as left-aligned columns separated by two spaces, as fastai prints its epoch table.</summary>
public static class PlainTable
{
    /// <summary>The header line followed by one line per row; each column as wide as its widest cell.</summary>
    public static IEnumerable<string> Format(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = ColumnWidths(headers, rows);
        yield return FormatRow(headers, widths);
        foreach (var row in rows) yield return FormatRow(row, widths);
    }

    /// <summary>Each column's width: the widest of its header and its cells.</summary>
    public static int[] ColumnWidths(IReadOnlyList<string> headers, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in rows)
            for (int i = 0; i < Math.Min(row.Count, widths.Length); i++) widths[i] = Math.Max(widths[i], row[i].Length);
        return widths;
    }

    /// <summary>One row padded to the widths (the last column is not padded).</summary>
    public static string FormatRow(IReadOnlyList<string> cells, IReadOnlyList<int> widths)
    {
        var parts = new string[cells.Count];
        for (int i = 0; i < cells.Count; i++)
            parts[i] = i == cells.Count - 1 || i >= widths.Count ? cells[i] : cells[i].PadRight(widths[i]);
        return string.Join("  ", parts).TrimEnd();
    }
}
