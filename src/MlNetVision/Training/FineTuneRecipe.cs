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
        var o = options ?? new FineTuneOptions();
        o.Validate();
        var groups = learner.LayerGroups.Count;
        if (o.FreezeTo < 0 || o.FreezeTo >= groups)
            throw new ArgumentOutOfRangeException(nameof(options), o.FreezeTo, $"FreezeTo must leave at least the head trainable: 0..{groups - 1} for {groups} layer groups.");
        runStep ??= (_, run) => run();
        if (o.CreateLoss() is { } loss) learner.Options.Loss = loss;
        var extras = o.CreateCallbacks();
        LearnerCallback[] extra = [.. callbacks ?? [], .. extras];
        var described = Describe(o, extras);

        FineTunePhaseResult? frozen = null, unfrozen = null;
        LrFindResult? found = null;
        if (o.FrozenEpochs > 0)
        {
            if (learner.Options.Pretrained) learner.Freeze();
            var body = learner.FrozenGroups > 0 ? "body frozen" : "whole network (no pretrained weights)";
            var step = new FineTuneStep(FineTuneStepKind.Frozen, $"frozen phase: fit_one_cycle({o.FrozenEpochs}, {o.FrozenLearningRate}), {body}{described}", o.FrozenEpochs, o.FrozenLearningRate);
            frozen = RunPhase(learner, step, o, o.FrozenCycle, extra, runStep, cancellationToken);
        }
        if (o.UnfrozenEpochs > 0)
        {
            learner.FreezeTo(o.FreezeTo);
            var rate = o.UnfrozenLearningRate;
            string? warning = null;
            if (rate.IsAuto)
            {
                var sweep = new FineTuneStep(FineTuneStepKind.LrFind, $"learning-rate finder: lr_find(num_it={o.LrFindIterations}), {Trainable(learner)}", 0, null);
                runStep(sweep, () => found = learner.LrFind(numIt: o.LrFindIterations, cancellationToken: cancellationToken));
                cancellationToken.ThrowIfCancellationRequested();
                (rate, warning) = ChooseRate(found!, o.FrozenLearningRate, o.AutoLrMult);
            }
            var step = new FineTuneStep(FineTuneStepKind.Unfrozen, $"unfrozen phase: fit_one_cycle({o.UnfrozenEpochs}, {rate}), {Trainable(learner)}{described}", o.UnfrozenEpochs, rate, found, warning);
            unfrozen = RunPhase(learner, step, o, o.UnfrozenCycle, extra, runStep, cancellationToken);
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
        LearnerCallback[] extra, Action<FineTuneStep, Action> runStep, CancellationToken ct)
    {
        var phaseCallbacks = new List<LearnerCallback>(extra);
        if (o.EarlyStoppingPatience is { } patience) phaseCallbacks.Add(new EarlyStopping("valid_loss", patience: patience));
        if (o.SaveBest) phaseCallbacks.Add(new SaveModel("valid_loss", BestModelName));
        runStep(step, () => learner.FitOneCycle(step.Epochs, step.LearningRate, cycle.Moms, cycle.DivFactor, cycle.PctStart, cycle.FinalDiv,
            callbacks: phaseCallbacks, cancellationToken: ct));
        ct.ThrowIfCancellationRequested();
        var recorder = learner.Recorder.Snapshot();
        return new FineTunePhaseResult(step.Kind, step.LearningRate!.Value, learner.FrozenGroups, recorder.Epochs, learner.State.StopReason, recorder);
    }

    // The extras the options switched on, in fastai's words: ", loss_func=..., cbs=[...]", or nothing.
    private static string Describe(FineTuneOptions o, IReadOnlyList<LearnerCallback> extras) =>
        (o.CreateLoss() is { } loss ? $", loss_func={loss}" : "") + (extras.Count > 0 ? $", cbs=[{string.Join(", ", extras)}]" : "");

    private static string Trainable(Learner learner) =>
        learner.FrozenGroups == 0 ? "whole network" : $"first {learner.FrozenGroups} of {learner.LayerGroups.Count} layer groups frozen";
}
