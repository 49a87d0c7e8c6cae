namespace MlNetVision.Training;

/// <summary>One progress report of a fit.</summary>
/// <param name="Kind">What finished.</param>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Epochs">Epochs in this fit.</param>
/// <param name="Batch">1-based number of batches done in the current pass.</param>
/// <param name="Batches">Batches in the current pass.</param>
/// <param name="SmoothLoss">The smoothed training loss so far.</param>
/// <param name="EpochResult">The epoch's row when <paramref name="Kind"/> is <see cref="TrainingProgressKind.Epoch"/>.</param>
public sealed record TrainingProgress(TrainingProgressKind Kind, int Epoch, int Epochs, int Batch, int Batches, double SmoothLoss, EpochResult? EpochResult);
