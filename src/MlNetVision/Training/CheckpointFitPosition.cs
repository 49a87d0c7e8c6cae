namespace MlNetVision.Training;

/// <summary>
/// Where a fit stood at the end of an epoch, and the schedule it follows, so that <see cref="Learner.Resume"/> (or
/// <see cref="FineTuneRecipe.Resume"/>) runs the remaining epochs with the same learning rates and momentum at every step.
/// </summary>
public sealed record CheckpointFitPosition
{
    /// <summary>The name of <see cref="Learner.Fit"/>'s constant schedule in <see cref="Schedule"/>.</summary>
    public const string ConstantSchedule = "fit";

    /// <summary>The name of <see cref="Learner.FitOneCycle"/>'s schedule in <see cref="Schedule"/>.</summary>
    public const string OneCycleSchedule = "fit_one_cycle";

    /// <summary><see cref="ConstantSchedule"/> or <see cref="OneCycleSchedule"/>.</summary>
    public string Schedule { get; init; } = ConstantSchedule;

    /// <summary>The rate of each layer group (the constant rates, or the one-cycle peaks), first group first.</summary>
    public double[] LearningRates { get; init; } = [];

    /// <summary>The constant momentum (beta1) of <see cref="ConstantSchedule"/>.</summary>
    public double Momentum { get; init; }

    /// <summary>The one-cycle start divisor.</summary>
    public double DivFactor { get; init; }

    /// <summary>The one-cycle warm-up share.</summary>
    public double PctStart { get; init; }

    /// <summary>The one-cycle final divisor (resolved: <c>divFactor · 1e4</c> when it was not given).</summary>
    public double FinalDiv { get; init; }

    /// <summary>The one-cycle momentum at the ends.</summary>
    public double MomentumHigh { get; init; }

    /// <summary>The one-cycle momentum at the peak.</summary>
    public double MomentumLow { get; init; }

    /// <summary>The number of steps the one-cycle schedule spans.</summary>
    public int ScheduleSteps { get; init; }

    /// <summary>The fit's decoupled weight decay.</summary>
    public double WeightDecay { get; init; }

    /// <summary>How many epochs the fit runs in all.</summary>
    public int Epochs { get; init; }

    /// <summary>How many epochs were completed when the checkpoint was written (the fit continues with this 0-based epoch).</summary>
    public int EpochsCompleted { get; init; }

    /// <summary>The training steps taken in this fit (the schedule's next step).</summary>
    public int Iteration { get; init; }

    /// <summary>The fit's total training steps.</summary>
    public int TotalIterations { get; init; }

    /// <summary>The batches per epoch the schedule was planned in (the first batch size's).</summary>
    public int PlannedBatchesPerEpoch { get; init; }

    /// <summary>The batch size in use (smaller than the data's when <see cref="LearnerOptions.AutoBatchSize"/> halved it).</summary>
    public int BatchSize { get; init; }

    /// <summary>The <see cref="FineTuneRecipe"/> phase (<c>Frozen</c> or <c>Unfrozen</c>), or <see langword="null"/> for a fit of its own.</summary>
    public FineTuneStepKind? Phase { get; init; }

    /// <summary>The recipe's settings in a canonical form, so a resume can refuse other settings; <see langword="null"/> outside the recipe.</summary>
    public string? Recipe { get; init; }
}
