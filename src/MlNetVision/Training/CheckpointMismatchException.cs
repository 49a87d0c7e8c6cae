namespace MlNetVision.Training;

/// <summary>Thrown when a checkpoint does not fit the learner: another architecture, head, class list, or (to resume) image size or recipe.</summary>
public sealed class CheckpointMismatchException(string message) : InvalidOperationException(message);
