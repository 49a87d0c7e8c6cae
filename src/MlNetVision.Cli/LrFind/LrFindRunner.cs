using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;

namespace MlNetVision.Cli.LrFind;

/// <summary>Runs <c>lr-find</c> on the library.</summary>
public static class LrFindRunner
{
    /// <summary>Runs the sweep; returns the exit code.</summary>
    public static int Run(LrFindSettings settings, CliOutput output, CancellationToken cancellation)
    {
        var data = DataInput.Resolve(settings.Data);
        throw new CliException(ExitCodes.InternalError, $"lr-find is not available in this build: the learner is not wired yet (data: {data.Path}).");
    }
}
