namespace MlNetVision.Cli.Arguments;

/// <summary>The model argument of <c>evaluate</c> and <c>predict</c>: its declaration and its check.</summary>
public static class ModelFile
{
    /// <summary>The <c>model</c> argument: a model.zip written by <c>train</c> (or the folder holding it).</summary>
    public static System.CommandLine.Argument<string> Argument() => new("model") { Description = "The model.zip (or the model.ckpt checkpoint) written by train." };

    /// <summary>The full path of an existing model file.</summary>
    /// <exception cref="Running.CliException">The file does not exist (exit 3), or it is a folder (exit 3).</exception>
    public static string RequireExisting(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full)) return full;
        if (Directory.Exists(full))
        {
            var inside = Path.Combine(full, Running.OutputFiles.Zip);
            if (File.Exists(inside)) return inside;
            throw Running.CliException.NotFound($"Model not found: '{path}' is a folder without a {Running.OutputFiles.Zip}.");
        }
        throw Running.CliException.NotFound($"Model not found: '{path}' does not exist.");
    }
}
