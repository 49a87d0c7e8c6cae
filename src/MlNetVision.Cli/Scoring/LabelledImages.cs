using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Running;

namespace MlNetVision.Cli.Scoring;

/// <summary>Image files with their label names, read from a data argument for <c>evaluate</c>.</summary>
/// <param name="Paths">Full paths of the images.</param>
/// <param name="Labels">The label name of each image.</param>
/// <param name="Description">Which part of the data was used (for messages).</param>
public sealed record LabelledImages(IReadOnlyList<string> Paths, IReadOnlyList<string> Labels, string Description)
{
    /// <summary>
    /// A folder: its <c>valid/</c> class folders when there is one, else <c>train/</c>'s, else its own class folders.
    /// A CSV: a header row, then <c>file,label</c> rows with file names relative to the CSV's folder.
    /// </summary>
    /// <exception cref="CliException">The CSV cannot be read or nothing labelled is found (exit 4).</exception>
    public static LabelledImages Read(DataInput input)
    {
        var result = input.Kind == DataInputKind.Csv ? FromCsv(input.Path) : FromFolder(input.Path);
        if (result.Paths.Count == 0)
            throw CliException.BadData($"No labelled image found in '{input.Path}' ({result.Description}): expected one folder per class, or a CSV of file,label rows.");
        return result;
    }

    private static LabelledImages FromFolder(string root)
    {
        var valid = Path.Combine(root, "valid");
        var train = Path.Combine(root, "train");
        var (dir, description) = Directory.Exists(valid) ? (valid, "its valid/ folder")
            : Directory.Exists(train) ? (train, "its train/ folder (no valid/ folder)")
            : (root, "its class folders");
        var paths = new List<string>();
        var labels = new List<string>();
        foreach (var classDir in Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(classDir);
            if (dir == root && name is "test" or "models") continue;
            foreach (var file in ImageFiles.Under(classDir))
            {
                paths.Add(file);
                labels.Add(name);
            }
        }
        return new LabelledImages(paths, labels, description);
    }

    private static LabelledImages FromCsv(string csv)
    {
        var folder = Path.GetDirectoryName(csv)!;
        string[] lines;
        try
        {
            lines = File.ReadAllLines(csv);
        }
        catch (IOException e)
        {
            throw CliException.BadData($"Cannot read '{csv}': {e.Message}");
        }
        var paths = new List<string>();
        var labels = new List<string>();
        foreach (var (line, number) in lines.Select((l, i) => (l, i + 1)).Skip(1))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var cells = SplitCsvLine(line);
            if (cells.Count < 2 || cells[0].Length == 0 || cells[1].Length == 0)
                throw CliException.BadData($"'{csv}' line {number}: expected file,label, got '{line}'.");
            paths.Add(Path.GetFullPath(cells[0], folder));
            labels.Add(cells[1]);
        }
        return new LabelledImages(paths, labels, "its rows");
    }

    /// <summary>Splits one CSV line on commas, honouring double-quoted cells with doubled quotes inside.</summary>
    public static List<string> SplitCsvLine(string line)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { cells.Add(cell.ToString().Trim()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString().Trim());
        return cells;
    }
}
