namespace MlNetVision.Training;

/// <summary>Thrown when the training or validation loss becomes NaN or infinite; the weights were restored to before the epoch.</summary>
public sealed class TrainingDivergedException(string message) : InvalidOperationException(message);
