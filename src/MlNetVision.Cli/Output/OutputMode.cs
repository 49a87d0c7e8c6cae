namespace MlNetVision.Cli.Output;

/// <summary>How the tool writes: live widgets for a person at a terminal, or plain lines for logs and scripts.</summary>
public enum OutputMode
{
    /// <summary>Live progress bars and tables (Spectre.Console): standard output is a terminal and <c>CI</c> is not set.</summary>
    Interactive,

    /// <summary>One plain line per event, no colours or cursor movement: output is redirected, <c>CI</c> is set, or <c>--plain</c>.</summary>
    Plain,
}
