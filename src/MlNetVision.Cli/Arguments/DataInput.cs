namespace MlNetVision.Cli.Arguments;

/// <summary>A resolved data argument: an existing folder or CSV file.</summary>
/// <param name="Path">The full path.</param>
/// <param name="Kind">Folder or CSV.</param>
/// <param name="IsSample">Whether no data was given and the shipped sample is used.</param>
public sealed record DataInput(string Path, DataInputKind Kind, bool IsSample)
{
    /// <summary>
    /// Resolves the data argument: <see langword="null"/> means the shipped sample; otherwise an existing folder or
    /// <c>.csv</c> file.
    /// </summary>
    /// <exception cref="Running.CliException">The path does not exist (exit 3) or is a file that is not a CSV (exit 4).</exception>
    public static DataInput Resolve(string? argument)
    {
        if (string.IsNullOrWhiteSpace(argument))
        {
            var sample = SampleData.Find() ?? throw Running.CliException.NotFound(
                $"No data given and the sample data was not found (looked for {SampleData.ToolPath} next to the tool and {SampleData.RepositoryPath} in this folder and its parents). Pass a folder of class folders or a CSV file.");
            return new DataInput(System.IO.Path.GetFullPath(sample), DataInputKind.Folder, true);
        }
        var full = System.IO.Path.GetFullPath(argument);
        if (Directory.Exists(full)) return new DataInput(full, DataInputKind.Folder, false);
        if (File.Exists(full))
        {
            if (full.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)) return new DataInput(full, DataInputKind.Csv, false);
            throw Running.CliException.BadData($"Data '{argument}' is a file but not a .csv: pass a folder of class folders or a CSV of file,label rows.");
        }
        throw Running.CliException.NotFound($"Data not found: '{argument}' does not exist (expected a folder of class folders or a CSV file).");
    }
}
