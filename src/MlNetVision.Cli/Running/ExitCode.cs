namespace MlNetVision.Cli.Running;

/// <summary>The exit codes of <c>mlnet-vision</c>, documented in docs/CLI.md.</summary>
public enum ExitCode
{
    /// <summary>The command did what was asked.</summary>
    Success = 0,

    /// <summary>An unexpected failure (a bug or an environment problem such as the native backend not loading).</summary>
    InternalError = 1,

    /// <summary>Wrong arguments or options: unknown command or option, a value that does not parse or is out of range.</summary>
    UsageError = 2,

    /// <summary>A file or folder named on the command line does not exist (data folder, CSV, model.zip, image).</summary>
    NotFound = 3,

    /// <summary>The data cannot be used: no readable image, an unreadable image, a malformed CSV, a single class.</summary>
    BadData = 4,

    /// <summary>The model cannot be used for this data: not an mlnet-vision model.zip, or made for other classes.</summary>
    ModelMismatch = 5,

    /// <summary>Training failed: the loss became NaN or infinite, or the process ran out of memory.</summary>
    TrainingFailed = 6,

    /// <summary>Stopped by Ctrl+C (SIGINT) or SIGTERM, after saving what could be saved (128 + SIGINT, the shell convention).</summary>
    Cancelled = 130,
}
