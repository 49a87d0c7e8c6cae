namespace MlNetVision.Cli.Running;

/// <summary>Creates the <c>--out</c> folder.</summary>
public static class OutputFolder
{
    /// <summary>Creates the folder (and its parents) and returns its full path.</summary>
    /// <exception cref="CliException">The folder cannot be created (exit 3).</exception>
    public static string Create(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            if (File.Exists(full)) throw CliException.NotFound($"Output folder '{path}' is a file.");
            Directory.CreateDirectory(full);
            return full;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.NotFound($"Cannot create the output folder '{path}': {e.Message}");
        }
    }
}
