using System.Text;

namespace MlNetVision.Data;

/// <summary>
/// Reads the CSV files of <see cref="ImageDataBunch.FromCsv"/> and every other labelled-CSV reader: comma-separated,
/// RFC 4180 double quotes (a doubled quote inside a quoted field is one quote), no field spanning lines.
/// </summary>
public static class CsvFile
{
    /// <summary>The data rows of <paramref name="path"/>: the first line is a header and is skipped, and so are blank lines.</summary>
    /// <param name="path">The CSV file.</param>
    /// <returns>The rows, read lazily, in file order.</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IEnumerable<CsvRow> ReadRows(string path)
    {
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1 || string.IsNullOrWhiteSpace(line)) continue;
            yield return new CsvRow(lineNumber, line, SplitLine(line));
        }
    }

    /// <summary>Splits one CSV line into its fields (RFC 4180 quoting; fields are not trimmed).</summary>
    public static IReadOnlyList<string> SplitLine(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (ch == '"') quoted = false;
                else field.Append(ch);
            }
            else if (ch == '"') quoted = true;
            else if (ch == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(ch);
        }
        fields.Add(field.ToString());
        return fields;
    }
}
