using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Running;
using MlNetVision.Data;

namespace MlNetVision.Cli.Scoring;

/// <summary>Image files with their label names, read from a data argument for <c>evaluate</c> with the library's listers.</summary>
/// <param name="Files">The images (full paths) and their label names.</param>
/// <param name="Description">Which part of the data was used (for messages).</param>
public sealed record LabelledImages(IReadOnlyList<LabelledFile> Files, string Description)
{
    /// <summary>
    /// A folder: its <c>valid/</c> class folders when there is one, else <c>train/</c>'s, else its own class folders
    /// (<see cref="ImageFolders.ClassFolders"/>). A CSV: a header row, then <c>file,label</c> rows
    /// (<see cref="CsvFile.ReadRows"/>) with file names relative to the CSV's folder.
    /// </summary>
    /// <exception cref="CliException">The CSV cannot be read or nothing labelled is found (exit 4).</exception>
    public static LabelledImages Read(DataInput input)
    {
        var result = input.Kind == DataInputKind.Csv ? FromCsv(input.Path) : FromFolder(input.Path);
        if (result.Files.Count == 0)
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
        return new LabelledImages(ImageFolders.ClassFolders(dir, ignore: dir == root ? ["test", "models"] : null), description);
    }

    private static LabelledImages FromCsv(string csv)
    {
        var folder = Path.GetDirectoryName(csv)!;
        var files = new List<LabelledFile>();
        try
        {
            foreach (var row in CsvFile.ReadRows(csv))
            {
                var cells = row.Fields.Select(f => f.Trim()).ToArray();
                if (cells.Length < 2 || cells[0].Length == 0 || cells[1].Length == 0)
                    throw CliException.BadData($"'{csv}' line {row.LineNumber}: expected file,label, got '{row.Text}'.");
                files.Add(new LabelledFile(Path.GetFullPath(cells[0], folder), cells[1]));
            }
        }
        catch (IOException e)
        {
            throw CliException.BadData($"Cannot read '{csv}': {e.Message}");
        }
        return new LabelledImages(files, "its rows");
    }
}
