using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;

namespace MlNetVision.Cli.Train;

/// <summary>Runs <c>train</c> on the library.</summary>
public static class TrainRunner
{
    /// <summary>Runs the recipe; returns the exit code.</summary>
    public static int Run(TrainSettings settings, CliOutput output, CancellationToken cancellation)
    {
        var data = DataInput.Resolve(settings.Data);
        throw new CliException(ExitCodes.InternalError, $"train is not available in this build: the training engine is not wired yet (data: {data.Path}).");
    }
}
