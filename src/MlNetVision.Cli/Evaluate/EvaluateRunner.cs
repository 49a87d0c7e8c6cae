using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;

namespace MlNetVision.Cli.Evaluate;

/// <summary>Runs <c>evaluate</c> through stock ML.NET.</summary>
public static class EvaluateRunner
{
    /// <summary>Evaluates; returns the exit code.</summary>
    public static int Run(EvaluateSettings settings, CliOutput output, CancellationToken cancellation)
    {
        ModelFile.RequireExisting(settings.Model);
        var data = DataInput.Resolve(settings.Data);
        throw new CliException(ExitCodes.InternalError, $"evaluate is not available in this build: the ML.NET model reader is not wired yet (data: {data.Path}).");
    }
}
