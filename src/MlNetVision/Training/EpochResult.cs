namespace MlNetVision.Training;

/// <summary>One row of the epoch table: epoch, train_loss, valid_loss, metrics, time.</summary>
/// <param name="Epoch">0-based epoch number within its fit.</param>
/// <param name="TrainLoss">The smoothed training loss at the end of the epoch (what fastai prints).</param>
/// <param name="ValidLoss">Mean cross-entropy over the validation set.</param>
/// <param name="Metrics">Metric values by name, in the learner's metric order.</param>
/// <param name="Duration">Wall time of the epoch, validation included.</param>
public sealed record EpochResult(int Epoch, double TrainLoss, double ValidLoss, IReadOnlyList<KeyValuePair<string, double>> Metrics, TimeSpan Duration)
{
    /// <summary>The value of <paramref name="name"/>: <c>train_loss</c>, <c>valid_loss</c> or a metric name.</summary>
    /// <exception cref="KeyNotFoundException">No such column.</exception>
    public double this[string name] => name switch
    {
        "train_loss" => TrainLoss,
        "valid_loss" => ValidLoss,
        _ => Metrics.FirstOrDefault(m => m.Key == name) is { Key: not null } kv ? kv.Value
            : throw new KeyNotFoundException($"No column '{name}'. Columns: train_loss, valid_loss, {string.Join(", ", Metrics.Select(m => m.Key))}."),
    };
}
