using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;

namespace MlNetVision.Cli.Predict;

/// <summary>Runs <c>predict</c> through stock ML.NET.</summary>
public static class PredictRunner
{
    /// <summary>Predicts; returns the exit code.</summary>
    public static int Run(PredictSettings settings, CliOutput output, CancellationToken cancellation)
    {
        ModelFile.RequireExisting(settings.Model);
        if (!File.Exists(settings.Input) && !Directory.Exists(settings.Input))
            throw CliException.NotFound($"Input not found: '{settings.Input}' does not exist (expected an image file or a folder of images).");
        throw new CliException(ExitCodes.InternalError, "predict is not available in this build: the ML.NET model reader is not wired yet.");
    }
}
