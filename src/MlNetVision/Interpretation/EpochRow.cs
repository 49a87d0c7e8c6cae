namespace MlNetVision.Interpretation;

/// <summary>One line of the per-epoch table (fastai's progress table): losses, metrics and time of one epoch.</summary>
/// <param name="Epoch">The epoch number as shown (fastai counts from 0).</param>
/// <param name="TrainLoss">The smoothed training loss at the end of the epoch.</param>
/// <param name="ValidLoss">The validation loss, or null when there was no validation.</param>
/// <param name="Metrics">The metrics of the epoch in column order (for example <c>error_rate</c>, <c>accuracy</c>).</param>
/// <param name="Time">How long the epoch took, or null when unknown.</param>
public sealed record EpochRow(int Epoch, double TrainLoss, double? ValidLoss, IReadOnlyList<MetricValue> Metrics, TimeSpan? Time = null);
