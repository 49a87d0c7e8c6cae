namespace MlNetVision.Cli.Output;

/// <summary>How the tool writes: live widgets for a person at a terminal, or plain lines for logs and scripts.</summary>
public enum OutputMode
{
    /// <summary>Live progress bars and tables (Spectre.Console): standard output is a terminal and <c>CI</c> is not set.</summary>
    Interactive,

    /// <summary>One plain line per event, no colours or cursor movement: output is redirected, <c>CI</c> is set, or <c>--plain</c>.</summary>
    Plain,
}

/// <summary>Chooses the <see cref="OutputMode"/> from the terminal and the environment.</summary>
public static class OutputModeDetector
{
    /// <summary>
    /// <see cref="OutputMode.Plain"/> when <paramref name="forcePlain"/>, when standard output is redirected, when the
    /// <c>CI</c> environment variable is set to anything but <c>false</c>/<c>0</c>, or when <c>TERM</c> is <c>dumb</c>;
    /// otherwise <see cref="OutputMode.Interactive"/>.
    /// </summary>
    public static OutputMode Detect(bool forcePlain = false)
    {
        if (forcePlain || Console.IsOutputRedirected) return OutputMode.Plain;
        var ci = Environment.GetEnvironmentVariable("CI");
        if (!string.IsNullOrEmpty(ci) && ci != "0" && !ci.Equals("false", StringComparison.OrdinalIgnoreCase)) return OutputMode.Plain;
        if (string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal)) return OutputMode.Plain;
        return OutputMode.Interactive;
    }
}
