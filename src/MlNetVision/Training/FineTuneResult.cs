namespace MlNetVision.Training;

/// <summary>The record of a <see cref="FineTuneRecipe"/> run: each phase's epoch table, the finder's result and the rates chosen.</summary>
/// <param name="Frozen">The frozen phase, or <see langword="null"/> when it was skipped (0 epochs).</param>
/// <param name="Unfrozen">The unfrozen phase, or <see langword="null"/> when it was skipped (0 epochs).</param>
/// <param name="LrFind">The learning-rate finder's curve and suggestions when the unfrozen rate was <c>Auto</c>.</param>
/// <param name="UnfrozenLearningRateRequested">The unfrozen rate as asked (<c>auto</c>, a value or a slice).</param>
public sealed record FineTuneResult(FineTunePhaseResult? Frozen, FineTunePhaseResult? Unfrozen, LrFindResult? LrFind, LearningRate UnfrozenLearningRateRequested)
{
    /// <summary>The phases that ran, frozen first.</summary>
    public IReadOnlyList<FineTunePhaseResult> Phases => new[] { Frozen, Unfrozen }.OfType<FineTunePhaseResult>().ToArray();

    /// <summary>Every epoch row of both phases, frozen first (each phase numbers its epochs from 0, as fastai prints them).</summary>
    public IReadOnlyList<EpochResult> Epochs => Phases.SelectMany(p => p.Epochs).ToArray();

    /// <summary>
    /// Whether the unfrozen phase ended with a lower <c>valid_loss</c> than the frozen phase; <see langword="null"/> when a
    /// phase is missing. Lesson 1's question: did unfreezing help?
    /// </summary>
    public bool? UnfrozenBeatFrozen => Frozen?.Last is { } f && Unfrozen?.Last is { } u ? u.ValidLoss < f.ValidLoss : null;
}
