using MlNetVision.Training.Callbacks;
using MlNetVision.Training.Losses;
using MlNetVision.Training.Schedules;

namespace MlNetVision.Training;

/// <summary>
/// The settings of <see cref="FineTuneRecipe"/>: fastai lesson 1's transfer-learning recipe. The defaults are the lesson's:
/// <c>fit_one_cycle(4)</c> with the body frozen, <c>unfreeze()</c>, <c>lr_find()</c>, <c>fit_one_cycle(2, max_lr=slice(...))</c>.
/// The ML.NET estimator (<c>VisionClassifierOptions</c>) and the command line (<c>mlnet-vision train</c>) take their
/// defaults from the constants here.
/// </summary>
public sealed class FineTuneOptions
{
    /// <summary>Default of <see cref="FrozenEpochs"/>.</summary>
    public const int DefaultFrozenEpochs = 4;

    /// <summary>Default of <see cref="UnfrozenEpochs"/>.</summary>
    public const int DefaultUnfrozenEpochs = 2;

    /// <summary>The peak rate of the frozen phase's default <c>slice(3e-3)</c> (fastai v1 <c>defaults.lr</c>).</summary>
    public const double DefaultFrozenMaxLearningRate = 3e-3;

    /// <summary>Default of <see cref="FreezeTo"/>: every layer group trains in the unfrozen phase.</summary>
    public const int DefaultFreezeTo = 0;

    /// <summary>Default of <see cref="LrFindIterations"/> (fastai <c>lr_find(num_it=100)</c>).</summary>
    public const int DefaultLrFindIterations = 100;

    /// <summary>Default of <see cref="AutoLrMult"/> (fastai v2 <c>fine_tune(lr_mult=100)</c>).</summary>
    public const double DefaultAutoLrMult = 100;

    /// <summary>Epochs of the first phase (one cycle), the body frozen when the learner is pretrained; 0 skips it.</summary>
    /// <value>The default value is 4 (lesson 1: <c>learn.fit_one_cycle(4)</c>).</value>
    public int FrozenEpochs { get; set; } = DefaultFrozenEpochs;

    /// <summary>Peak learning rate of the frozen phase.</summary>
    /// <value>The default value is <c>slice(3e-3)</c> (fastai v1 <c>defaults.lr</c>).</value>
    public LearningRate FrozenLearningRate { get; set; } = LearningRate.Slice(DefaultFrozenMaxLearningRate);

    /// <summary>The one-cycle shape of the frozen phase.</summary>
    /// <value>The default value is fastai v1's <c>fit_one_cycle</c> defaults (div 25, pct_start 0.3, moms 0.95/0.85).</value>
    public OneCycleOptions FrozenCycle { get; set; } = new();

    /// <summary>Epochs of the second phase (one cycle) after <c>FreezeTo(<see cref="FreezeTo"/>)</c>; 0 skips it.</summary>
    /// <value>The default value is 2 (lesson 1: <c>learn.fit_one_cycle(2, max_lr=slice(1e-6,1e-4))</c>).</value>
    public int UnfrozenEpochs { get; set; } = DefaultUnfrozenEpochs;

    /// <summary>
    /// Peak learning rate of the unfrozen phase: <see cref="LearningRate.Auto"/> runs the learning-rate finder after
    /// unfreezing and applies the rule in <see cref="FineTuneRecipe"/>; or one number or a slice.
    /// </summary>
    /// <value>The default value is <see cref="LearningRate.Auto"/> (lesson 1 runs <c>lr_find()</c> and reads the slice off the plot).</value>
    public LearningRate UnfrozenLearningRate { get; set; } = LearningRate.Auto;

    /// <summary>The one-cycle shape of the unfrozen phase.</summary>
    /// <value>The default value is fastai v1's <c>fit_one_cycle</c> defaults (div 25, pct_start 0.3, moms 0.95/0.85).</value>
    public OneCycleOptions UnfrozenCycle { get; set; } = new();

    /// <summary>Leading layer groups kept frozen in the unfrozen phase (<c>learner.FreezeTo(n)</c>; 0 is <c>Unfreeze()</c>).</summary>
    /// <value>The default value is 0 (lesson 1: <c>learn.unfreeze()</c>).</value>
    public int FreezeTo { get; set; } = DefaultFreezeTo;

    /// <summary>Batches of the learning-rate finder's sweep when <see cref="UnfrozenLearningRate"/> is <see cref="LearningRate.Auto"/>.</summary>
    /// <value>The default value is 100 (fastai <c>lr_find(num_it=100)</c>).</value>
    public int LrFindIterations { get; set; } = DefaultLrFindIterations;

    /// <summary>For <see cref="LearningRate.Auto"/>: the ratio between the last and the first layer group's rate.</summary>
    /// <value>The default value is 100 (fastai v2 <c>fine_tune(lr_mult=100)</c>).</value>
    public double AutoLrMult { get; set; } = DefaultAutoLrMult;

    /// <summary>Stop a phase when <c>valid_loss</c> has not improved for this many epochs; <see langword="null"/> never stops early.</summary>
    /// <value>The default value is <see langword="null"/> (off).</value>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>Save the model whenever <c>valid_loss</c> improves and end each phase on its best epoch (fastai <c>SaveModelCallback</c>); needs a writable <see cref="Learner.ModelDirectory"/>.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool SaveBest { get; set; }

    // fastai v2's training extras, off by default; the command line and the estimator set them here.

    /// <summary>
    /// Label smoothing <c>ε</c>: when set, the recipe makes the learner's loss (<see cref="LearnerOptions.Loss"/>, used for the
    /// training and the validation loss, and kept after the recipe) <c>LabelSmoothingCrossEntropy(eps)</c>; fastai's
    /// default <c>ε</c> is <see cref="LabelSmoothingCrossEntropy.DefaultEps"/> (0.1).
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the learner's own loss (plain cross-entropy unless set otherwise).</value>
    public double? LabelSmoothing { get; set; }

    /// <summary>MixUp's <c>α</c>: when set, both phases train with <see cref="Callbacks.MixUp"/> (fastai's default <c>α</c> is <see cref="Callbacks.MixUp.DefaultAlpha"/>, 0.4).</summary>
    /// <value>The default value is <see langword="null"/> (no MixUp).</value>
    public double? MixUpAlpha { get; set; }

    /// <summary>CutMix's <c>α</c>: when set, both phases train with <see cref="Callbacks.CutMix"/> (fastai's default <c>α</c> is <see cref="Callbacks.CutMix.DefaultAlpha"/>, 1); not together with <see cref="MixUpAlpha"/>.</summary>
    /// <value>The default value is <see langword="null"/> (no CutMix).</value>
    public double? CutMixAlpha { get; set; }

    /// <summary>
    /// Gradient accumulation in samples (fastai <c>GradientAccumulation(n_acc)</c>, whose default is
    /// <see cref="GradientAccumulation.DefaultSamplesPerStep"/>, 32): when set, both phases step the optimiser once every
    /// this many samples, so batches of <c>bs</c> train like batches of <c>n_acc</c>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: one step per batch.</value>
    public int? AccumulateSamples { get; set; }

    /// <summary>
    /// Whether both phases (not the learning-rate finder) train in mixed precision with <see cref="Callbacks.MixedPrecision"/>
    /// (fastai <c>to_fp16</c>; bf16 on the CPU, fp16 on CUDA); the model, checkpoints and exports stay fp32.
    /// </summary>
    /// <value>The default value is <see langword="false"/> (<see cref="LearnerOptions.DefaultMixedPrecision"/>).</value>
    public bool MixedPrecision { get; set; } = LearnerOptions.DefaultMixedPrecision;

    /// <summary>The loss the recipe gives the learner: label smoothing when <see cref="LabelSmoothing"/> is set, else <see langword="null"/> (the learner's own).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="LabelSmoothing"/> is not in 0..1.</exception>
    public LossFunction? CreateLoss() => LabelSmoothing is { } eps ? new LabelSmoothingCrossEntropy(eps) : null;

    /// <summary>The callbacks both phases get from <see cref="MixUpAlpha"/>, <see cref="CutMixAlpha"/>, <see cref="AccumulateSamples"/> and <see cref="MixedPrecision"/>, new ones on every call.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An alpha is not positive or <see cref="AccumulateSamples"/> is not positive.</exception>
    /// <exception cref="ArgumentException">Both <see cref="MixUpAlpha"/> and <see cref="CutMixAlpha"/> are set.</exception>
    public IReadOnlyList<LearnerCallback> CreateCallbacks()
    {
        if (MixUpAlpha is not null && CutMixAlpha is not null)
            throw new ArgumentException("MixUpAlpha and CutMixAlpha are both set: train with one of MixUp and CutMix.", nameof(CutMixAlpha));
        var callbacks = new List<LearnerCallback>();
        if (MixUpAlpha is { } mixUp) callbacks.Add(new MixUp(mixUp));
        if (CutMixAlpha is { } cutMix) callbacks.Add(new CutMix(cutMix));
        if (AccumulateSamples is { } samples) callbacks.Add(new GradientAccumulation(samples));
        if (MixedPrecision) callbacks.Add(new MixedPrecision());
        return callbacks;
    }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative, nothing would train, a rate is <c>Auto</c> where it cannot be, or an extra is out of range.</exception>
    /// <exception cref="ArgumentException">Both <see cref="MixUpAlpha"/> and <see cref="CutMixAlpha"/> are set.</exception>
    public void Validate()
    {
        if (FrozenEpochs < 0) throw new ArgumentOutOfRangeException(nameof(FrozenEpochs), FrozenEpochs, "Epochs cannot be negative.");
        if (UnfrozenEpochs < 0) throw new ArgumentOutOfRangeException(nameof(UnfrozenEpochs), UnfrozenEpochs, "Epochs cannot be negative.");
        if (FrozenEpochs + UnfrozenEpochs == 0) throw new ArgumentOutOfRangeException(nameof(FrozenEpochs), "FrozenEpochs and UnfrozenEpochs are both 0: nothing to train.");
        if (FrozenLearningRate.IsAuto) throw new ArgumentOutOfRangeException(nameof(FrozenLearningRate), "The frozen phase needs a rate (Auto is for the unfrozen phase, which the finder runs before).");
        if (!(FrozenLearningRate.High > 0)) throw new ArgumentOutOfRangeException(nameof(FrozenLearningRate), "Set a positive learning rate.");
        if (!UnfrozenLearningRate.IsAuto && UnfrozenLearningRate.High is not > 0) throw new ArgumentOutOfRangeException(nameof(UnfrozenLearningRate), "Set a positive learning rate or LearningRate.Auto.");
        if (LrFindIterations < 2) throw new ArgumentOutOfRangeException(nameof(LrFindIterations), LrFindIterations, "The finder needs at least two iterations.");
        if (!(AutoLrMult >= 1) || double.IsInfinity(AutoLrMult)) throw new ArgumentOutOfRangeException(nameof(AutoLrMult), AutoLrMult, "AutoLrMult must be a finite number of at least 1.");
        if (EarlyStoppingPatience is < 0) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "Patience cannot be negative.");
        FrozenCycle.Validate();
        UnfrozenCycle.Validate();
        CreateLoss();
        CreateCallbacks();
    }
}
