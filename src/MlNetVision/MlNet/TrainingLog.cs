using System.Globalization;
using Microsoft.ML.Runtime;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;

namespace MlNetVision.MlNet;

/// <summary>Writes the recipe's steps and each epoch's row to an ML.NET channel (so to <c>mlContext.Log</c>), and forwards rows to the user's metrics callback.</summary>
internal sealed class TrainingLog(IChannel? channel, Action<EpochResult>? metricsCallback) : LearnerCallback
{
    private string _phase = "";

    public override int Order => 20;

    /// <summary>Logs a step before it runs: its description, the finder's suggestions and the rate chosen from them, any warning.</summary>
    public void Step(FineTuneStep step)
    {
        _phase = step.Kind == FineTuneStepKind.Frozen ? "frozen phase" : "unfrozen phase";
        if (step.LrFind is { } found)
        {
            static string R(double? v) => v?.ToString("0.00e+00", CultureInfo.InvariantCulture) ?? "n/a";
            Info($"learning-rate finder: {found.LearningRates.Count} iterations, valley {R(found.Valley)}, steepest {R(found.Steepest)}, " +
                 $"min/10 {R(found.MinimumDiv10)}; learning rate chosen for the unfrozen phase: {step.LearningRate}");
        }
        if (step.Warning is { } warning) channel?.Warning(MessageSensitivity.None, warning);
        Info(step.Description);
    }

    public void Info(string message) => channel?.Info(MessageSensitivity.None, message);

    public override void AfterEpoch(Learner learner)
    {
        if (learner.State.LastEpoch is not { } row) return;
        metricsCallback?.Invoke(row);
        var metrics = string.Concat(row.Metrics.Select(m => $", {m.Key} {m.Value.ToString("0.000000", CultureInfo.InvariantCulture)}"));
        Info($"{_phase} epoch {row.Epoch}: train_loss {row.TrainLoss.ToString("0.000000", CultureInfo.InvariantCulture)}, " +
             $"valid_loss {row.ValidLoss.ToString("0.000000", CultureInfo.InvariantCulture)}{metrics}, time {row.Duration:mm\\:ss}");
    }
}
