namespace MlNetVision.Cli.Output;

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
