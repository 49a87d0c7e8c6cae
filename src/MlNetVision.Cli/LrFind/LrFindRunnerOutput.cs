using System.Globalization;
using MlNetVision.Cli.Output;
using MlNetVision.Training;

namespace MlNetVision.Cli.LrFind;

/// <summary>Prints the learning-rate finder's suggestions (shared by <c>lr-find</c> and <c>train --lr auto</c>).</summary>
public static class LrFindRunnerOutput
{
    /// <summary>Writes the suggestions as a table, the stop reason and the plot's path.</summary>
    public static void WriteSuggestions(CliOutput output, LrFindResult result, string plotPath)
    {
        static string Rate(double? v) => v is { } x ? x.ToString("0.00e+00", CultureInfo.InvariantCulture) : "n/a";
        static string Loss(LrFindResult r, double? v) => v is { } x ? CliOutput.Number(r.LossAt(x)) : "n/a";
        output.Table(
            ["suggestion", "learning_rate", "loss"],
            [
                ["valley", Rate(result.Valley), Loss(result, result.Valley)],
                ["steep", Rate(result.Steepest), Loss(result, result.Steepest)],
                ["min/10", Rate(result.MinimumDiv10), Loss(result, result.MinimumDiv10)],
            ]);
        output.Fact("iterations", result.LearningRates.Count.ToString(CultureInfo.InvariantCulture)
            + (result.StopReason is { } why ? $" (stopped: {why})" : ""));
        output.Fact("plot", plotPath);
    }
}
