namespace MlNetVision.Cli.Running;

/// <summary>
/// A failure the user can act on: its message is printed as one line prefixed with <c>error:</c> and the process
/// ends with <see cref="ExitCode"/>. Never shown with a stack trace.
/// </summary>
public sealed class CliException : Exception
{
    /// <summary>Creates a failure with the given exit code and message.</summary>
    public CliException(ExitCode exitCode, string message, Exception? inner = null) : base(message, inner) => ExitCode = exitCode;

    /// <summary>The process exit code.</summary>
    public ExitCode ExitCode { get; }

    /// <summary>A file or folder named by the user does not exist.</summary>
    public static CliException NotFound(string message) => new(ExitCode.NotFound, message);

    /// <summary>The data cannot be used.</summary>
    public static CliException BadData(string message, Exception? inner = null) => new(ExitCode.BadData, message, inner);

    /// <summary>The model does not fit the data or is not a model this tool can read.</summary>
    public static CliException ModelMismatch(string message, Exception? inner = null) => new(ExitCode.ModelMismatch, message, inner);

    /// <summary>Wrong arguments found after parsing (for example two options that do not go together).</summary>
    public static CliException Usage(string message) => new(ExitCode.UsageError, message);

    /// <summary>Training could not go on.</summary>
    public static CliException TrainingFailed(string message, Exception? inner = null) => new(ExitCode.TrainingFailed, message, inner);
}
