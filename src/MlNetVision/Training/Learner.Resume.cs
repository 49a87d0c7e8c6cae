using MlNetVision.Training.Callbacks;
using MlNetVision.Training.Optimizers;
using MlNetVision.Training.Schedules;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Training;

public sealed partial class Learner
{
    // The schedule of the running fit (Fit / FitOneCycle), whose position Save records at the end of an epoch.
    private CheckpointFitPosition? _runningFit;

    /// <summary>The <see cref="FineTuneRecipe"/> phase running now and the recipe's canonical settings; saved with the fit's position.</summary>
    internal (FineTuneStepKind Phase, string Recipe)? RecipePhase { get; set; }

    /// <summary>
    /// Continues the fit recorded in the checkpoint <paramref name="name"/> (written at the end of an epoch of
    /// <see cref="Fit"/> or <see cref="FitOneCycle"/>, by <see cref="SaveModel"/> with <c>everyEpoch</c> or any
    /// <c>AfterEpoch</c> callback calling <see cref="Save"/>): loads the weights and the training state
    /// (<see cref="Load"/> with <c>withTrainingState</c>), then runs the remaining epochs with the same schedule. On the
    /// CPU, a seeded fit stopped and resumed this way ends with the same weights, bit for bit, as one never stopped.
    /// The recorder holds the resumed epochs only; callbacks start afresh (an early-stopping count restarts).
    /// </summary>
    /// <param name="name">The checkpoint's name, without folder or extension.</param>
    /// <param name="callbacks">Callbacks for the rest of the fit.</param>
    /// <param name="cancellationToken">Stops the fit after the current batch; then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <exception cref="FileNotFoundException">No checkpoint of that name.</exception>
    /// <exception cref="CheckpointMismatchException">The checkpoint is for another architecture, head, class list or image size.</exception>
    /// <exception cref="InvalidOperationException">The checkpoint holds no fit position (weights only, saved outside a fit or mid-epoch), or a
    /// <see cref="FineTuneRecipe"/> phase (resume those with <see cref="FineTuneRecipe.Resume"/>).</exception>
    public void Resume(string name, IEnumerable<LearnerCallback>? callbacks = null, CancellationToken cancellationToken = default)
    {
        var position = LoadFitPosition(name);
        if (position.Phase is { } phase)
            throw new InvalidOperationException($"'{CheckpointPath(name)}' was written in the {phase} phase of FineTuneRecipe: resume it with FineTuneRecipe.Resume.");
        ContinueFit(position, callbacks, cancellationToken);
    }

    /// <summary>Loads the checkpoint with its training state and returns the fit position it holds.</summary>
    internal CheckpointFitPosition LoadFitPosition(string name)
    {
        var info = LoadCheckpoint(name, withTrainingState: true);
        return info.Training!.Fit ?? throw new InvalidOperationException(
            $"'{CheckpointPath(name)}' was not saved at the end of an epoch of a fit, so it holds no position to resume from (save it from an AfterEpoch callback).");
    }

    /// <summary>Runs the epochs of <paramref name="position"/>'s fit that are left, on its schedule.</summary>
    internal void ContinueFit(CheckpointFitPosition position, IEnumerable<LearnerCallback>? callbacks, CancellationToken ct)
    {
        if (position.EpochsCompleted >= position.Epochs) return;
        FitPlan plan;
        if (position.Schedule == CheckpointFitPosition.OneCycleSchedule)
        {
            var cycle = new OneCycleOptions
            {
                DivFactor = position.DivFactor, PctStart = position.PctStart, FinalDiv = position.FinalDiv,
                Moms = (position.MomentumHigh, position.MomentumLow),
            };
            var schedule = new OneCycleSchedule(position.ScheduleSteps, position.LearningRates, cycle);
            plan = new FitPlan(position.Epochs, schedule.LearningRates, schedule.Momentum, position.WeightDecay);
        }
        else
        {
            var rates = position.LearningRates;
            var mom = position.Momentum;
            plan = new FitPlan(position.Epochs, _ => rates, _ => mom, position.WeightDecay);
        }
        Run(plan with { Resumable = position, Start = position }, callbacks, ct);
    }

    // The state Save writes after the weights, and the writer that appends its tensors.
    private (CheckpointTrainingState State, Action<BinaryWriter> Write) CaptureTrainingState()
    {
        var states = Optimizer.ExportState();
        var rng = torch.random.get_rng_state();
        var fit = State.AtEpochEnd && _runningFit is { } running
            ? running with
            {
                EpochsCompleted = State.Epoch + 1,
                Iteration = State.Iteration,
                TotalIterations = State.TotalIterations,
                BatchSize = Data.BatchSize,
                Phase = RecipePhase?.Phase,
                Recipe = RecipePhase?.Recipe,
            }
            : null;
        var training = new CheckpointTrainingState
        {
            LoaderEpoch = Data.Train.Epoch,
            FrozenGroups = FrozenGroups,
            OptimizerGroups = Optimizer.Groups.Select(g => new CheckpointOptimizerGroup(g.LearningRate, g.Beta1, g.Beta2, g.WeightDecay)).ToArray(),
            OptimizerStates = states.Count,
            RngStateBytes = (int)rng.NumberOfElements,
            Fit = fit,
        };
        return (training, writer =>
        {
            foreach (var s in states)
            {
                writer.Write(s.Group);
                writer.Write(s.Index);
                writer.Write(s.Step);
                Checkpoint.WriteTensorBytes(writer, s.ExpAvg);
                Checkpoint.WriteTensorBytes(writer, s.ExpAvgSq);
            }
            Checkpoint.WriteTensorBytes(writer, rng);
            rng.Dispose();
        });
    }

    private void CheckResumable(CheckpointInfo info, string path)
    {
        var training = info.Training ?? throw new InvalidOperationException(
            $"'{path}' holds weights only (a format-1 checkpoint, or saved with withTrainingState: false): it has no optimiser state or position to resume from.");
        if (info.ImageSize != Data.ImageSize)
            throw new CheckpointMismatchException($"'{path}' was trained at {info.ImageSize}x{info.ImageSize}; this learner's data is {Data.ImageSize}x{Data.ImageSize}.");
        if (training.OptimizerGroups.Length != Optimizer.Groups.Count)
            throw new CheckpointMismatchException($"'{path}' has {training.OptimizerGroups.Length} optimiser groups; this learner has {Optimizer.Groups.Count} layer groups.");
    }

    private void RestoreTrainingState(BinaryReader reader, CheckpointTrainingState training, string path)
    {
        FreezeTo(training.FrozenGroups); // also clears the optimiser state, which the checkpoint's replaces
        var states = new List<AdamW.ParameterState>(training.OptimizerStates);
        try
        {
            for (int k = 0; k < training.OptimizerStates; k++)
            {
                int g = reader.ReadInt32(), i = reader.ReadInt32();
                long step = reader.ReadInt64();
                if (g < 0 || g >= Optimizer.Groups.Count || i < 0 || i >= Optimizer.Groups[g].Parameters.Count)
                    throw new CheckpointMismatchException($"'{path}' has optimiser state for parameter {i} of group {g}, which this model does not have.");
                var p = Optimizer.Groups[g].Parameters[i];
                var avg = Checkpoint.ReadTensorBytes(reader, p.shape, p.dtype, path);
                var avgSq = Checkpoint.ReadTensorBytes(reader, p.shape, p.dtype, path);
                states.Add(new AdamW.ParameterState(g, i, step, avg, avgSq));
            }
            Optimizer.ImportState(states);
        }
        finally
        {
            foreach (var s in states) { s.ExpAvg.Dispose(); s.ExpAvgSq.Dispose(); }
        }
        for (int g = 0; g < Optimizer.Groups.Count; g++)
        {
            var saved = training.OptimizerGroups[g];
            var group = Optimizer.Groups[g];
            (group.LearningRate, group.Beta1, group.Beta2, group.WeightDecay) = (saved.LearningRate, saved.Beta1, saved.Beta2, saved.WeightDecay);
        }
        using (var rng = Checkpoint.ReadTensorBytes(reader, [training.RngStateBytes], ScalarType.Byte, path))
            torch.random.set_rng_state(rng);
        if (training.Fit is { } fit && fit.BatchSize > 0 && fit.BatchSize != Data.BatchSize)
        {
            Options.Log?.WriteLine($"MlNetVision: the checkpoint trained with batches of {fit.BatchSize} (the data has {Data.BatchSize}); resuming with {fit.BatchSize}.");
            Data.ChangeBatchSize(fit.BatchSize);
        }
        Data.Train.Epoch = training.LoaderEpoch;
    }
}
