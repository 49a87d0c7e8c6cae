using System.Globalization;
using MlNetVision.Training.Callbacks;

namespace MlNetVision.Training;

/// <summary>
/// fastai lesson 1's transfer-learning recipe, the one definition that <see cref="Learner.FineTune"/>, the command line's
/// <c>train</c> and the ML.NET estimator all run:
/// <list type="number">
/// <item><b>Frozen phase</b>: <c>Freeze()</c> (when the learner is pretrained; a randomly initialised body trains whole),
/// then <c>FitOneCycle(FrozenEpochs, FrozenLearningRate)</c>.</item>
/// <item><c>FreezeTo(FreezeTo)</c> — <c>Unfreeze()</c> by default.</item>
/// <item><b>Learning-rate finder</b>, when <see cref="FineTuneOptions.UnfrozenLearningRate"/> is <see cref="LearningRate.Auto"/>:
/// <c>LrFind(numIt: LrFindIterations)</c>, then the rule of <see cref="ChooseRate"/> turns the curve into a slice.</item>
/// <item><b>Unfrozen phase</b>: <c>FitOneCycle(UnfrozenEpochs, rate)</c>.</item>
/// </list>
/// <see cref="FineTuneOptions.LabelSmoothing"/> sets the learner's loss first; <see cref="FineTuneOptions.MixUpAlpha"/>,
/// <see cref="FineTuneOptions.CutMixAlpha"/> and <see cref="FineTuneOptions.AccumulateSamples"/> add their callbacks to both
/// phases (not the finder), and the phases' descriptions name them. Each phase can stop early (<see cref="FineTuneOptions.EarlyStoppingPatience"/>) and end on its best epoch
/// (<see cref="FineTuneOptions.SaveBest"/>). The result records both epoch tables, the finder's result and the rates.
/// </summary>
public static class FineTuneRecipe
{
    /// <summary>For <c>Auto</c>: the unfrozen phase's top rate is at most the frozen phase's head rate divided by this.</summary>
    public const double AutoCapDivisor = 10;

    /// <summary>The checkpoint name <see cref="FineTuneOptions.SaveBest"/> writes (fastai <c>SaveModelCallback(name='bestmodel')</c>).</summary>
    public const string BestModelName = "bestmodel";

    /// <summary>Runs the recipe on <paramref name="learner"/>.</summary>
    /// <param name="learner">A learner as <see cref="VisionLearner.Create"/> left it.</param>
    /// <param name="options">The recipe's settings; <see langword="null"/> for lesson 1's defaults.</param>
    /// <param name="callbacks">Callbacks for both phases (not the finder).</param>
    /// <param name="runStep">Called with each step and the action that runs it (it must call that action once); use it to draw
    /// headings, log the chosen rate or wrap a step in a progress display. <see langword="null"/> just runs the steps.</param>
    /// <param name="cancellationToken">Stops within one batch; then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>What happened: both phases' epoch tables, the finder's result, the rates.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range, or <see cref="FineTuneOptions.FreezeTo"/> exceeds the layer groups.</exception>
    /// <exception cref="TrainingDivergedException">A loss became NaN or infinite (see <see cref="Learner.FitOneCycle"/>).</exception>
    public static FineTuneResult Run(Learner learner, FineTuneOptions? options = null, IEnumerable<LearnerCallback>? callbacks = null,
        Action<FineTuneStep, Action>? runStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var o = Validated(learner, options);
        return Execute(learner, o, null, callbacks, runStep, cancellationToken);
    }

    /// <summary>
    /// Continues a run of the recipe from the checkpoint <paramref name="checkpointName"/>, written at the end of one of
    /// its epochs (the command line's <c>train</c> writes one every epoch; any <c>AfterEpoch</c> callback calling
    /// <see cref="Learner.Save"/> does): loads the weights and the training state, finishes the phase it was written in
    /// with the same schedule, then runs the rest of the recipe. Stopped in or right after the frozen phase, the unfrozen
    /// phase (and the finder) run as they would have. On the CPU the final weights equal, bit for bit, those of a run
    /// never stopped with the same seed. The result holds the phases run now; early-stopping counts restart.
    /// </summary>
    /// <param name="learner">A learner created as for the interrupted run (same architecture, data, seed and options).</param>
    /// <param name="checkpointName">The checkpoint's name in <see cref="Learner.ModelDirectory"/>.</param>
    /// <param name="options">The recipe's settings: those of the interrupted run (others are refused).</param>
    /// <param name="callbacks">Callbacks for both phases (not the finder).</param>
    /// <param name="runStep">As for <see cref="Run"/>; called for the steps that still run.</param>
    /// <param name="cancellationToken">Stops within one batch; then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>What happened in the steps run now.</returns>
    /// <exception cref="FileNotFoundException">No checkpoint of that name.</exception>
    /// <exception cref="CheckpointMismatchException">The checkpoint is for another architecture, head, class list or image size, or was written by the recipe with other settings.</exception>
    /// <exception cref="InvalidOperationException">The checkpoint holds no position in a run of the recipe.</exception>
    public static FineTuneResult Resume(Learner learner, string checkpointName, FineTuneOptions? options = null, IEnumerable<LearnerCallback>? callbacks = null,
        Action<FineTuneStep, Action>? runStep = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointName);
        var o = Validated(learner, options);
        var path = learner.CheckpointPath(checkpointName);
        var info = File.Exists(path) ? Checkpoint.ReadInfo(path) : throw new FileNotFoundException($"No checkpoint '{checkpointName}' in {learner.ModelDirectory}.", path);
        if (info.Training?.Fit is not { Phase: not null } saved)
            throw new InvalidOperationException($"'{path}' was not written at the end of an epoch of FineTuneRecipe, so it holds no position in the recipe to resume from.");
        if (saved.Recipe != Canonical(o))
            throw new CheckpointMismatchException($"'{path}' was written by the recipe with other settings ({saved.Recipe}); resume with the same settings ({Canonical(o)}).");
        var start = learner.LoadFitPosition(checkpointName);
        return Execute(learner, o, start, callbacks, runStep, cancellationToken);
    }

    private static FineTuneOptions Validated(Learner learner, FineTuneOptions? options)
    {
        var o = options ?? new FineTuneOptions();
        o.Validate();
        var groups = learner.LayerGroups.Count;
        if (o.FreezeTo < 0 || o.FreezeTo >= groups)
            throw new ArgumentOutOfRangeException(nameof(options), o.FreezeTo, $"FreezeTo must leave at least the head trainable: 0..{groups - 1} for {groups} layer groups.");
        return o;
    }

    // The one sequence of the recipe; start is the checkpoint's position when resuming (the learner has loaded it).
    private static FineTuneResult Execute(Learner learner, FineTuneOptions o, CheckpointFitPosition? start, IEnumerable<LearnerCallback>? callbacks,
        Action<FineTuneStep, Action>? runStep, CancellationToken cancellationToken)
    {
        runStep ??= (_, run) => run();
        if (o.CreateLoss() is { } loss) learner.Options.Loss = loss;
        var extras = o.CreateCallbacks();
        LearnerCallback[] extra = [.. callbacks ?? [], .. extras];
        var described = Describe(o, extras);
        var recipe = Canonical(o);
        var startFrozen = start is { Phase: FineTuneStepKind.Frozen } ? start : null;
        var startUnfrozen = start is { Phase: FineTuneStepKind.Unfrozen } ? start : null;

        FineTunePhaseResult? frozen = null, unfrozen = null;
        LrFindResult? found = null;
        if (o.FrozenEpochs > 0 && startUnfrozen is null && (startFrozen is null || startFrozen.EpochsCompleted < startFrozen.Epochs))
        {
            if (startFrozen is null && learner.Options.Pretrained) learner.Freeze();
            var body = learner.FrozenGroups > 0 ? "body frozen" : "whole network (no pretrained weights)";
            var resumed = startFrozen is null ? "" : $", resumed after epoch {startFrozen.EpochsCompleted}";
            var step = new FineTuneStep(FineTuneStepKind.Frozen, $"frozen phase: fit_one_cycle({o.FrozenEpochs}, {o.FrozenLearningRate}), {body}{described}{resumed}", o.FrozenEpochs, o.FrozenLearningRate);
            frozen = RunPhase(learner, step, o, o.FrozenCycle, extra, runStep, recipe, startFrozen, cancellationToken);
        }
        if (o.UnfrozenEpochs > 0)
        {
            var rate = o.UnfrozenLearningRate;
            string? warning = null;
            if (startUnfrozen is null)
            {
                learner.FreezeTo(o.FreezeTo);
                if (rate.IsAuto)
                {
                    var sweep = new FineTuneStep(FineTuneStepKind.LrFind, $"learning-rate finder: lr_find(num_it={o.LrFindIterations}), {Trainable(learner)}", 0, null);
                    runStep(sweep, () => found = learner.LrFind(numIt: o.LrFindIterations, cancellationToken: cancellationToken));
                    cancellationToken.ThrowIfCancellationRequested();
                    (rate, warning) = ChooseRate(found!, o.FrozenLearningRate, o.AutoLrMult);
                }
            }
            else if (rate.IsAuto) rate = LearningRate.Slice(startUnfrozen.LearningRates[0], startUnfrozen.LearningRates[^1]); // the rate the finder chose then
            var resumed = startUnfrozen is null ? "" : $", resumed after epoch {startUnfrozen.EpochsCompleted}";
            var step = new FineTuneStep(FineTuneStepKind.Unfrozen, $"unfrozen phase: fit_one_cycle({o.UnfrozenEpochs}, {rate}), {Trainable(learner)}{described}{resumed}", o.UnfrozenEpochs, rate, found, warning);
            unfrozen = RunPhase(learner, step, o, o.UnfrozenCycle, extra, runStep, recipe, startUnfrozen, cancellationToken);
        }
        return new FineTuneResult(frozen, unfrozen, found, o.UnfrozenLearningRate);
    }

    /// <summary>
    /// The rule that turns the finder's curve into the unfrozen phase's rate: the top (head) rate is the finder's
    /// <see cref="LrFindResult.Valley"/> (else <see cref="LrFindResult.Steepest"/>, else <see cref="LrFindResult.MinimumDiv10"/>),
    /// capped at the frozen phase's head rate / <see cref="AutoCapDivisor"/> (the head is trained already and the body is
    /// pretrained: lesson 1's <c>slice(1e-6, 1e-4)</c> after <c>3e-3</c> sits under that cap); the first group gets the top
    /// rate / <paramref name="lrMult"/>, as fastai v2's <c>fine_tune</c> spreads its rates: <c>slice(top / lrMult, top)</c>.
    /// </summary>
    /// <returns>The slice, and a warning when the curve gave no suggestion (then the cap is used).</returns>
    public static (LearningRate Rate, string? Warning) ChooseRate(LrFindResult result, LearningRate frozenRate, double lrMult = FineTuneOptions.DefaultAutoLrMult)
    {
        ArgumentNullException.ThrowIfNull(result);
        var cap = frozenRate.High / AutoCapDivisor;
        var suggestion = result.Valley ?? result.Steepest ?? result.MinimumDiv10;
        var warning = suggestion is null
            ? $"The learning-rate finder gave no suggestion (curve of {result.LearningRates.Count} points); using {cap.ToString("G3", CultureInfo.InvariantCulture)}."
            : null;
        var top = Math.Min(suggestion ?? cap, cap);
        return (LearningRate.Slice(top / lrMult, top), warning);
    }

    private static FineTunePhaseResult RunPhase(Learner learner, FineTuneStep step, FineTuneOptions o, Schedules.OneCycleOptions cycle,
        LearnerCallback[] extra, Action<FineTuneStep, Action> runStep, string recipe, CheckpointFitPosition? start, CancellationToken ct)
    {
        var phaseCallbacks = new List<LearnerCallback>(extra);
        if (o.EarlyStoppingPatience is { } patience) phaseCallbacks.Add(new EarlyStopping("valid_loss", patience: patience));
        if (o.SaveBest) phaseCallbacks.Add(new SaveModel("valid_loss", BestModelName));
        learner.RecipePhase = (step.Kind, recipe);
        try
        {
            runStep(step, () =>
            {
                if (start is not null) learner.ContinueFit(start, phaseCallbacks, ct);
                else learner.FitOneCycle(step.Epochs, step.LearningRate, cycle.Moms, cycle.DivFactor, cycle.PctStart, cycle.FinalDiv, callbacks: phaseCallbacks, cancellationToken: ct);
            });
        }
        finally { learner.RecipePhase = null; }
        ct.ThrowIfCancellationRequested();
        var recorder = learner.Recorder.Snapshot();
        return new FineTunePhaseResult(step.Kind, step.LearningRate!.Value, learner.FrozenGroups, recorder.Epochs, learner.State.StopReason, recorder);
    }

    // The extras the options switched on, in fastai's words: ", loss_func=..., cbs=[...]", or nothing.
    private static string Describe(FineTuneOptions o, IReadOnlyList<LearnerCallback> extras) =>
        (o.CreateLoss() is { } loss ? $", loss_func={loss}" : "") + (extras.Count > 0 ? $", cbs=[{string.Join(", ", extras)}]" : "");

    // The settings a resume must repeat, in one line (round-trip numbers).
    private static string Canonical(FineTuneOptions o)
    {
        static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        static string Rate(LearningRate r) => r.IsAuto ? "auto" : $"{(r.IsSlice ? "slice" : "lr")}({(r.Low is { } lo ? N(lo) + ", " : "")}{N(r.High)})";
        static string Cycle(Schedules.OneCycleOptions c) => $"div {N(c.DivFactor)}, pct {N(c.PctStart)}, final {N(c.FinalDivFactor)}, moms {N(c.Moms.High)}/{N(c.Moms.Low)}";
        return $"frozen {o.FrozenEpochs} at {Rate(o.FrozenLearningRate)} ({Cycle(o.FrozenCycle)}); freeze_to {o.FreezeTo}; " +
            $"unfrozen {o.UnfrozenEpochs} at {Rate(o.UnfrozenLearningRate)} ({Cycle(o.UnfrozenCycle)}); lr_find {o.LrFindIterations}, lr_mult {N(o.AutoLrMult)}; " +
            $"patience {o.EarlyStoppingPatience?.ToString(CultureInfo.InvariantCulture) ?? "none"}; save_best {o.SaveBest}; extras{Describe(o, o.CreateCallbacks())}";
    }

    private static string Trainable(Learner learner) =>
        learner.FrozenGroups == 0 ? "whole network" : $"first {learner.FrozenGroups} of {learner.LayerGroups.Count} layer groups frozen";
}
