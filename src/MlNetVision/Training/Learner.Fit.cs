using System.Diagnostics;
using System.Runtime.InteropServices;
using MlNetVision.Native;
using MlNetVision.Training.Callbacks;
using MlNetVision.Training.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Training;

public sealed partial class Learner
{
    /// <summary>Trains for <paramref name="epochs"/> epochs at a constant learning rate (fastai <c>fit</c>).</summary>
    /// <param name="epochs">Number of passes over the training set.</param>
    /// <param name="lr">Learning rate, one number or a slice over layer groups; default <see cref="LearningRate.Default"/> (<c>slice(3e-3)</c>).</param>
    /// <param name="wd">Decoupled weight decay; default <see cref="LearnerOptions.WeightDecay"/>.</param>
    /// <param name="callbacks">Callbacks for this fit only.</param>
    /// <param name="cancellationToken">Stops the fit after the current batch; then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite; the weights are those from before the epoch.</exception>
    /// <exception cref="InsufficientMemoryException">Ran out of memory; the message suggests a smaller batch size.</exception>
    /// <exception cref="InvalidOperationException">The training set does not fill one batch.</exception>
    public void Fit(int epochs, LearningRate? lr = null, double? wd = null, IEnumerable<LearnerCallback>? callbacks = null, CancellationToken cancellationToken = default)
    {
        var rates = (lr ?? LearningRate.Default).ForGroups(_layerGroups.Count);
        var mom = Options.Optimizer.Beta1;
        var decay = wd ?? Options.WeightDecay;
        var resumable = new CheckpointFitPosition { Schedule = CheckpointFitPosition.ConstantSchedule, LearningRates = rates, Momentum = mom, WeightDecay = decay };
        Run(new FitPlan(epochs, _ => rates, _ => mom, decay, Resumable: resumable), callbacks, cancellationToken);
    }

    /// <summary>
    /// Trains with the one-cycle policy (fastai v1 <c>fit_one_cycle</c>): per batch, the learning rate rises by cosine
    /// from <c>maxLr / divFactor</c> to <c>maxLr</c> over <paramref name="pctStart"/> of the steps, then falls to
    /// <c>maxLr / finalDiv</c>; Adam's beta1 follows <paramref name="moms"/> the other way. See <see cref="OneCycleSchedule"/>.
    /// </summary>
    /// <param name="epochs">Number of passes over the training set.</param>
    /// <param name="maxLr">Peak learning rate, one number or a slice; default <c>slice(3e-3)</c> (fastai v1 <c>defaults.lr</c>).</param>
    /// <param name="moms">Momentum at the ends and at the peak; default (0.95, 0.85).</param>
    /// <param name="divFactor">Start rate divisor; default 25.</param>
    /// <param name="pctStart">Share of warm-up steps; default 0.3.</param>
    /// <param name="finalDiv">Final rate divisor; default <c>divFactor · 1e4</c>.</param>
    /// <param name="wd">Decoupled weight decay; default <see cref="LearnerOptions.WeightDecay"/>.</param>
    /// <param name="callbacks">Callbacks for this fit only.</param>
    /// <param name="cancellationToken">Stops the fit after the current batch; then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite; the weights are those from before the epoch.</exception>
    /// <exception cref="InsufficientMemoryException">Ran out of memory; the message suggests a smaller batch size.</exception>
    public void FitOneCycle(int epochs, LearningRate? maxLr = null, (double High, double Low)? moms = null, double divFactor = OneCycleOptions.DefaultDivFactor,
        double pctStart = OneCycleOptions.DefaultPctStart, double? finalDiv = null, double? wd = null,
        IEnumerable<LearnerCallback>? callbacks = null, CancellationToken cancellationToken = default)
    {
        var cycle = new OneCycleOptions { DivFactor = divFactor, PctStart = pctStart, FinalDiv = finalDiv, Moms = moms ?? (0.95, 0.85) };
        var maxRates = (maxLr ?? LearningRate.Default).ForGroups(_layerGroups.Count);
        var total = checked(epochs * TrainBatchesPerEpoch());
        var schedule = new OneCycleSchedule(Math.Max(1, total), maxRates, cycle);
        var decay = wd ?? Options.WeightDecay;
        var resumable = new CheckpointFitPosition
        {
            Schedule = CheckpointFitPosition.OneCycleSchedule, LearningRates = maxRates, DivFactor = cycle.DivFactor, PctStart = cycle.PctStart,
            FinalDiv = cycle.FinalDivFactor, MomentumHigh = cycle.Moms.High, MomentumLow = cycle.Moms.Low, ScheduleSteps = schedule.TotalSteps, WeightDecay = decay,
        };
        Run(new FitPlan(epochs, schedule.LearningRates, schedule.Momentum, decay, Resumable: resumable), callbacks, cancellationToken);
    }

    /// <summary>
    /// fastai v2's <c>fine_tune</c>, run by <see cref="FineTuneRecipe"/>: the frozen phase is one cycle of
    /// <paramref name="freezeEpochs"/> at <c>slice(baseLr)</c> with <c>pctStart 0.99</c>; then unfreeze and one cycle of
    /// <paramref name="epochs"/> at <c>slice(baseLr / 2 / lrMult, baseLr / 2)</c> with <paramref name="pctStart"/> and
    /// <paramref name="divFactor"/>. For lesson 1's recipe (learning-rate finder, other epochs) call <see cref="FineTuneRecipe.Run"/>.
    /// </summary>
    /// <param name="epochs">Epochs of the unfrozen phase.</param>
    /// <param name="baseLr">Base learning rate; default 2e-3.</param>
    /// <param name="freezeEpochs">Epochs of the frozen phase (head only); default 1.</param>
    /// <param name="lrMult">Ratio between the last and first group's rates in the unfrozen phase; default 100.</param>
    /// <param name="pctStart">Warm-up share of the unfrozen phase; default 0.3.</param>
    /// <param name="divFactor">Start divisor of the unfrozen phase; default 5.</param>
    /// <param name="callbacks">Callbacks for both phases.</param>
    /// <param name="cancellationToken">Stops training after the current batch.</param>
    /// <returns>The recipe's record: both phases' epoch tables and rates.</returns>
    public FineTuneResult FineTune(int epochs, double baseLr = 2e-3, int freezeEpochs = 1, double lrMult = 100, double pctStart = 0.3, double divFactor = 5.0,
        IEnumerable<LearnerCallback>? callbacks = null, CancellationToken cancellationToken = default)
    {
        var unfrozenTop = baseLr / 2;
        return FineTuneRecipe.Run(this, new FineTuneOptions
        {
            FrozenEpochs = freezeEpochs,
            FrozenLearningRate = LearningRate.Slice(baseLr),
            FrozenCycle = new OneCycleOptions { PctStart = 0.99 },
            UnfrozenEpochs = epochs,
            UnfrozenLearningRate = LearningRate.Slice(unfrozenTop / lrMult, unfrozenTop),
            UnfrozenCycle = new OneCycleOptions { PctStart = pctStart, DivFactor = divFactor },
        }, callbacks, cancellationToken: cancellationToken);
    }

    /// <summary>Mean cross-entropy and the metrics over the validation set, without training.</summary>
    public EpochResult Validate()
    {
        var sw = Stopwatch.StartNew();
        var (loss, metrics) = RunValidation([], CancellationToken.None);
        return new EpochResult(0, double.NaN, loss, metrics, sw.Elapsed);
    }

    private int TrainBatchesPerEpoch() => Data.Train.BatchCount;

    private void Run(FitPlan plan, IEnumerable<LearnerCallback>? extra, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var epochs = plan.Epochs;
        if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(plan), epochs, "Train for at least one epoch.");
        var callbacks = CallbacksFor(extra, plan.ShowTable).ToArray();
        var batches = TrainBatchesPerEpoch();
        if (batches == 0)
            throw new InvalidOperationException(
                $"The training set ({Data.Train.Count} images) does not fill one batch of {Data.BatchSize}; the last partial batch is dropped as in fastai. Use a smaller batch size.");
        State = new FitState(epochs, batches) { Optimizer = Optimizer };
        if (plan.MaxIterations is { } cap) State.TotalIterations = cap;
        int firstEpoch = 0, plannedBatches = batches;
        if (plan.Start is { } start)
        {
            (firstEpoch, plannedBatches) = (start.EpochsCompleted, start.PlannedBatchesPerEpoch);
            (State.Iteration, State.TotalIterations) = (start.Iteration, start.TotalIterations);
        }
        _runningFit = plan.Resumable is { } resumable ? resumable with { Epochs = epochs, PlannedBatchesPerEpoch = plannedBatches } : null;
        Optimizer.SetWeightDecay(plan.WeightDecay);
        foreach (var cb in callbacks) cb.BeforeFit(this);
        try
        {
            for (int epoch = firstEpoch; epoch < epochs && !State.StopRequested; epoch++)
            {
                State.Epoch = epoch;
                var sw = Stopwatch.StartNew();
                var before = plan.StopOnNonFinite ? null : CloneWeights();
                using var optBefore = plan.StopOnNonFinite ? null : Optimizer.Snapshot();
                var restart = new EpochStart(State.Iteration, Data.Train.Epoch, Recorder.Mark());
                try
                {
                    foreach (var cb in callbacks) cb.BeforeEpoch(this);
                    if (!TrainEpoch(callbacks, plan, ct, plannedBatches)) throw Diverged(epoch, "training", before!, optBefore!);
                    if (State.StopNow || !plan.Validate) { if (!State.StopNow) EndEpochWithoutValidation(callbacks, sw); continue; }
                    foreach (var cb in callbacks) cb.BeforeValidate(this);
                    var (validLoss, metrics) = RunValidation(callbacks, ct);
                    foreach (var cb in callbacks) cb.AfterValidate(this);
                    if (State.StopNow) continue; // cancelled during validation: no row for a partial pass
                    State.LastEpoch = new EpochResult(epoch, State.SmoothLoss, validLoss, metrics, sw.Elapsed);
                    if (!double.IsFinite(validLoss)) throw Diverged(epoch, "validation", before!, optBefore!);
                    AfterEpoch(callbacks);
                    Options.Progress?.Report(new TrainingProgress(TrainingProgressKind.Epoch, epoch, epochs, batches, batches, State.SmoothLoss, State.LastEpoch));
                }
                catch (Exception ex) when (Options.AutoBatchSize && before is not null && IsOutOfMemory(ex) && Data.BatchSize / 2 >= MinAutoBatchSize)
                {
                    HalveBatchAndRewind(epoch, epochs, restart, before, optBefore!);
                    epoch--;
                }
                finally
                {
                    if (before is not null) DisposeAll(before);
                    GlibcHeap.AtBoundary();
                }
            }
        }
        catch (Exception ex) when (IsOutOfMemory(ex))
        {
            throw new InsufficientMemoryException(OutOfMemoryMessage(), ex);
        }
        finally
        {
            _runningFit = null;
            State.AtEpochEnd = false;
            Optimizer.ReleaseGradients(); // the fit's gradient block goes back to the system between fits
            foreach (var cb in callbacks) cb.AfterFit(this);
            GlibcHeap.AtBoundary();
        }
        ct.ThrowIfCancellationRequested();
    }

    private void EndEpochWithoutValidation(LearnerCallback[] callbacks, Stopwatch sw)
    {
        State.LastEpoch = new EpochResult(State.Epoch, State.SmoothLoss, double.NaN, [], sw.Elapsed);
        AfterEpoch(callbacks);
    }

    // AfterEpoch callbacks run with State.AtEpochEnd set: a checkpoint saved then records the fit's position.
    private void AfterEpoch(LearnerCallback[] callbacks)
    {
        State.AtEpochEnd = true;
        try
        {
            foreach (var cb in callbacks) cb.AfterEpoch(this);
        }
        finally { State.AtEpochEnd = false; }
    }

    // Returns false when the loss became non-finite and the fit must fail (not for the learning-rate finder).
    private bool TrainEpoch(LearnerCallback[] callbacks, FitPlan plan, CancellationToken ct, int plannedBatches)
    {
        Model.train();
        State.Training = true;
        State.Batches = TrainBatchesPerEpoch();
        State.Batch = 0;
        using var batches = Data.Train.GetEnumerator();
        while (true)
        {
            if (ct.IsCancellationRequested) { State.RequestStop("cancelled", immediately: true); return true; }
            if (plan.MaxIterations is { } cap && State.Iteration >= cap) { State.RequestStop("reached the iteration count", immediately: true); return true; }
            using var scope = torch.NewDisposeScope();
            if (!batches.MoveNext()) return true;
            using var batch = batches.Current;
            // The schedule was planned in batches of the fit's first batch size; after AutoBatchSize halved it, each
            // planned step spans several smaller batches.
            var step = State.Batches == plannedBatches ? State.Iteration
                : (int)((long)State.Epoch * plannedBatches + (long)State.Batch * plannedBatches / State.Batches);
            Optimizer.SetLearningRates(plan.LearningRates(step));
            Optimizer.SetMomentum(plan.Momentum(step));
            var (images, labels) = OnDevice(batch);
            State.BeginBatch(images, labels);
            foreach (var cb in callbacks) cb.BeforeBatch(this);
            if (AllocationFailure?.Invoke(this) == true) RequestImpossibleAllocation();
            // call(), not forward(): TorchSharp runs the module's pre-forward and forward hooks only through call.
            var output = (State.TrainingModel ?? Model).call(State.Images!);
            var loss = (State.BatchLoss ?? Options.Loss).Compute(output, State.Labels!);
            State.Loss = loss.cpu().ToSingle();
            if (!float.IsFinite(State.Loss) && !plan.StopOnNonFinite) return false;
            foreach (var cb in callbacks) cb.AfterLoss(this);
            if (!float.IsFinite(State.Loss))
            {
                foreach (var cb in callbacks) cb.AfterBatch(this);
                State.RequestStop("the loss is not finite", immediately: true);
                return true;
            }
            // Zeroed in place, kept from step to step in one block (AdamW.ZeroGrad); a skipped step keeps its gradients
            // (fastai GradientAccumulation).
            if (!State.StepSkipped) Optimizer.ZeroGrad();
            State.StepSkipped = false;
            (State.LossScale == 1 ? loss : loss.mul(State.LossScale)).backward();
            foreach (var cb in callbacks) cb.AfterBackward(this);
            if (!State.StepSkipped)
            {
                Optimizer.Step();
                foreach (var cb in callbacks) cb.AfterStep(this);
                GlibcHeap.AfterStep();
            }
            foreach (var cb in callbacks) cb.AfterBatch(this);
            Options.Progress?.Report(new TrainingProgress(TrainingProgressKind.TrainingBatch, State.Epoch, State.Epochs, State.Batch + 1, State.Batches, State.SmoothLoss, null));
            State.Iteration++;
            State.Batch++;
            if (State.StopNow) return true;
        }
    }

    // Validation batches get fastai's batch events (BeforeBatch, AfterLoss, AfterBatch) with State.Training false.
    private (double Loss, IReadOnlyList<KeyValuePair<string, double>> Metrics) RunValidation(LearnerCallback[] callbacks, CancellationToken ct)
    {
        Model.eval();
        State.Training = false;
        State.Batches = Data.Valid.BatchCount;
        State.Batch = 0;
        foreach (var m in Metrics) m.Reset();
        double lossSum = 0;
        long count = 0;
        using (torch.no_grad())
        using (var batches = Data.Valid.GetEnumerator())
        {
            while (true)
            {
                if (ct.IsCancellationRequested) { State.RequestStop("cancelled", immediately: true); break; }
                using var scope = torch.NewDisposeScope();
                if (!batches.MoveNext()) break;
                using var batch = batches.Current;
                var (images, labels) = OnDevice(batch);
                State.BeginBatch(images, labels);
                foreach (var cb in callbacks) cb.BeforeBatch(this);
                var output = Model.call(images);
                var batchSum = Options.Loss.Compute(output, labels, nn.Reduction.Sum).to_type(ScalarType.Float64).cpu().item<double>();
                lossSum += batchSum;
                count += batch.Count;
                State.Loss = (float)(batchSum / Math.Max(1, batch.Count));
                foreach (var cb in callbacks) cb.AfterLoss(this);
                foreach (var m in Metrics) m.Accumulate(output, labels);
                foreach (var cb in callbacks) cb.AfterBatch(this);
                GlibcHeap.AfterStep(); // validation trims on the same cycle as training (docs/BENCHMARKS.md, 4b)
                Options.Progress?.Report(new TrainingProgress(TrainingProgressKind.ValidationBatch, State.Epoch, State.Epochs, State.Batch + 1, State.Batches, State.SmoothLoss, null));
                State.Batch++;
            }
        }
        var values = Metrics.Select(m => new KeyValuePair<string, double>(m.Name, m.Value)).ToArray();
        return (count == 0 ? double.NaN : lossSum / count, values);
    }

    private TrainingDivergedException Diverged(int epoch, string phase, Dictionary<string, Tensor> before, Optimizers.AdamWSnapshot optBefore)
    {
        RestoreWeights(before);
        Optimizer.Restore(optBefore);
        var lrs = string.Join(", ", Optimizer.Groups.Select(g => g.LearningRate.ToString("0.###e+0", System.Globalization.CultureInfo.InvariantCulture)));
        return new TrainingDivergedException(
            $"The {phase} loss became NaN or infinite in epoch {epoch} (learning rates {lrs}). The learning rate is probably too high: " +
            "run LrFind and pick a smaller one. The weights were restored to what they were before this epoch.");
    }

    /// <summary>The smallest batch <see cref="LearnerOptions.AutoBatchSize"/> halves to (BatchNorm needs two images per batch).</summary>
    public const int MinAutoBatchSize = 2;

    /// <summary>
    /// Test hook: asked before every training batch; when it answers <see langword="true"/> the learner asks libtorch for
    /// an allocation no machine can satisfy, so libtorch's own allocator fails the step exactly as when a batch does not fit.
    /// </summary>
    internal Func<Learner, bool>? AllocationFailure { get; set; }

    private static void RequestImpossibleAllocation()
    {
        using var tooBig = empty(1L << 62, dtype: ScalarType.Byte); // 4 EiB: libtorch's allocator refuses it
    }

    private string OutOfMemoryMessage()
    {
        int next = Math.Max(MinAutoBatchSize, Data.BatchSize / 2);
        return $"Ran out of memory training {Model.Architecture.Name} on {Device} with batches of {Data.BatchSize} images of {Data.ImageSize}x{Data.ImageSize}. " +
            $"Try a batch size of {next} (BatchSize = {next}; CLI --bs {next}) or a smaller image size, or set AutoBatchSize to halve it automatically.";
    }

    private readonly record struct EpochStart(int Iteration, int LoaderEpoch, Recorder.Position Recorded);

    // AutoBatchSize: back to the weights, optimiser state, schedule step, shuffle and recorder of the epoch's start, at half the batch.
    private void HalveBatchAndRewind(int epoch, int epochs, EpochStart start, Dictionary<string, Tensor> before, Optimizers.AdamWSnapshot optBefore)
    {
        int from = Data.BatchSize, to = from / 2;
        RestoreWeights(before);
        Optimizer.Restore(optBefore);
        Optimizer.ReleaseGradients();
        Data.ChangeBatchSize(to);
        Data.Train.Epoch = start.LoaderEpoch;
        Recorder.Rewind(start.Recorded);
        State.Iteration = start.Iteration;
        State.TotalIterations = start.Iteration + (epochs - epoch) * TrainBatchesPerEpoch();
        GC.Collect();
        Options.Log?.WriteLine(
            $"MlNetVision: out of memory with batches of {from} images of {Data.ImageSize}x{Data.ImageSize} on {Device} in epoch {epoch}: " +
            $"AutoBatchSize halves the batch to {to} and restarts the epoch from the weights before it.");
    }

    internal static bool IsOutOfMemory(Exception ex) =>
        ex is OutOfMemoryException && ex is not InsufficientMemoryException
        || ex is ExternalException or InvalidOperationException && (ex.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
            || ex.Message.Contains("can't allocate memory", StringComparison.OrdinalIgnoreCase)
            || ex.Message.Contains("DefaultCPUAllocator", StringComparison.Ordinal));
}
