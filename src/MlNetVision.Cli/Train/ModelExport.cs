using MlNetVision.Cli.Output;
using MlNetVision.Training;

namespace MlNetVision.Cli.Train;

/// <summary>Writes the trained network as ONNX and as a stock ML.NET model.zip.</summary>
public static class ModelExport
{
    /// <summary>Exports <paramref name="learner"/> into <paramref name="outDir"/>; returns (kind, path) of each file written.</summary>
    public static IReadOnlyList<(string Kind, string Path)> Export(Learner learner, string outDir, CliOutput output)
    {
        output.Warning("ONNX export and model.zip are not available in this build yet (the ML.NET integration is not merged): only the checkpoint and the report were written.");
        return [];
    }
}
