namespace MlNetVision.Cli.Arguments;

/// <summary>
/// Finds the small Fashion-MNIST sample that <c>train</c> and <c>lr-find</c> use when no data is given: first the copy
/// shipped next to the tool (inside the tool package), then <c>samples/data/fashion-mnist-sample</c> in the current
/// directory or any parent (a clone of the repository).
/// </summary>
public static class SampleData
{
    /// <summary>The folder name of the sample, both in the repository and next to the tool.</summary>
    public const string FolderName = "fashion-mnist-sample";

    /// <summary>Where the sample lives in the repository, relative to its root.</summary>
    public static readonly string RepositoryPath = Path.Combine("samples", "data", FolderName);

    /// <summary>Where the sample is copied inside the tool's folder.</summary>
    public static readonly string ToolPath = Path.Combine("sample-data", FolderName);

    /// <summary>The places looked at, in order.</summary>
    public static IEnumerable<string> Candidates()
    {
        yield return Path.Combine(AppContext.BaseDirectory, ToolPath);
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            yield return Path.Combine(dir.FullName, RepositoryPath);
    }

    /// <summary>The first existing sample folder, or <see langword="null"/>.</summary>
    public static string? Find() => Candidates().FirstOrDefault(Directory.Exists);
}
