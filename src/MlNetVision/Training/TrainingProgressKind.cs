namespace MlNetVision.Training;

/// <summary>What a training loop reports through <see cref="LearnerOptions.Progress"/>.</summary>
public enum TrainingProgressKind
{
    /// <summary>A training batch finished.</summary>
    TrainingBatch,

    /// <summary>A validation batch finished.</summary>
    ValidationBatch,

    /// <summary>An epoch finished; <see cref="TrainingProgress.EpochResult"/> holds its row.</summary>
    Epoch,
}
