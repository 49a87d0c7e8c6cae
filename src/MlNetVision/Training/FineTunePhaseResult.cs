namespace MlNetVision.Training;

/// <summary>What one phase of <see cref="FineTuneRecipe"/> did.</summary>
/// <param name="Kind">The phase (<see cref="FineTuneStepKind.Frozen"/> or <see cref="FineTuneStepKind.Unfrozen"/>).</param>
/// <param name="LearningRate">The peak learning rate it ran at.</param>
/// <param name="FrozenGroups">Leading layer groups that were frozen during it.</param>
/// <param name="Epochs">Its epoch table (fewer rows than asked when it stopped early).</param>
/// <param name="StopReason">Why it stopped early (early stopping), or <see langword="null"/>.</param>
/// <param name="Recorder">A copy of the recorder at the end of the phase (per-batch losses and rates), for plots.</param>
public sealed record FineTunePhaseResult(FineTuneStepKind Kind, LearningRate LearningRate, int FrozenGroups, IReadOnlyList<EpochResult> Epochs, string? StopReason, Recorder Recorder)
{
    /// <summary>The last row of the epoch table, or <see langword="null"/> when no epoch finished.</summary>
    public EpochResult? Last => Epochs.Count > 0 ? Epochs[^1] : null;
}
