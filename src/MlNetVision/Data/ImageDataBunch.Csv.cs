namespace MlNetVision.Data;

public sealed partial class ImageDataBunch
{
    /// <summary>
    /// Builds a bunch from a CSV file of (file name, label) rows (fastai's <c>from_csv</c>), split at random by
    /// <see cref="ImageDataBunchOptions.ValidPct"/>. The first row is a header. File names are relative to
    /// <c>path/folder</c>; rows naming missing files, escaping the data folder (<c>../</c>, absolute paths) or lacking a
    /// label are skipped.
    /// </summary>
    /// <param name="path">The data root.</param>
    /// <param name="csvLabels">The CSV file, relative to <paramref name="path"/>.</param>
    /// <param name="folder">The folder of the images, relative to <paramref name="path"/>.</param>
    /// <param name="suffix">A suffix appended to every file name (fastai <c>suffix</c>, e.g. <c>".jpg"</c>).</param>
    /// <param name="fileColumn">The index of the file-name column.</param>
    /// <param name="labelColumn">The index of the label column.</param>
    /// <param name="options">How to build it; <c>null</c> for the defaults.</param>
    /// <returns>The bunch; dispose it to free the decoded images.</returns>
    /// <exception cref="FileNotFoundException">The CSV file does not exist.</exception>
    /// <exception cref="BadInputException">No usable training image, or bad input under <see cref="ImageDataBunchOptions.Strict"/>.</exception>
    public static ImageDataBunch FromCsv(string path, string csvLabels = "labels.csv", string folder = ".", string suffix = "",
        int fileColumn = 0, int labelColumn = 1, ImageDataBunchOptions? options = null)
    {
        options ??= new ImageDataBunchOptions();
        var root = System.IO.Path.GetFullPath(path);
        var csvPath = System.IO.Path.GetFullPath(csvLabels, root);
        if (!File.Exists(csvPath)) throw new FileNotFoundException($"CSV file '{csvPath}' does not exist.", csvPath);
        var imageRoot = System.IO.Path.GetFullPath(folder, root);
        var skipped = new List<SkippedInput>();
        var items = new List<RawItem>();
        foreach (var row in CsvFile.ReadRows(csvPath))
        {
            var where = $"{System.IO.Path.GetFileName(csvPath)} line {row.LineNumber}";
            var fields = row.Fields;
            if (fields.Count <= Math.Max(fileColumn, labelColumn) || fields[labelColumn].Trim().Length == 0 || fields[fileColumn].Trim().Length == 0)
            {
                skipped.Add(new SkippedInput(where, "missing file name or label"));
                continue;
            }
            var name = fields[fileColumn].Trim() + suffix;
            var file = System.IO.Path.GetFullPath(name, imageRoot);
            if (System.IO.Path.IsPathRooted(name) || !IsInside(file, imageRoot))
                skipped.Add(new SkippedInput($"{where} ({name})", "file name escapes the image folder"));
            else if (!File.Exists(file))
                skipped.Add(new SkippedInput($"{where} ({name})", "file not found"));
            else
                items.Add(new RawItem(ImageSource.FromFile(file), fields[labelColumn].Trim()));
        }
        var (train, valid) = RandomSplit(items, options.ValidPct, options.Seed);
        return Build(root, train, valid, null, options, skipped);
    }

    private static bool IsInside(string file, string folder)
    {
        var prefix = folder.EndsWith(System.IO.Path.DirectorySeparatorChar) ? folder : folder + System.IO.Path.DirectorySeparatorChar;
        return file.StartsWith(prefix, StringComparison.Ordinal);
    }
}
