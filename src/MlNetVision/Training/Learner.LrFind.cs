using MlNetVision.Native;
using MlNetVision.Rendering;
using MlNetVision.Training.Callbacks;
using MlNetVision.Training.Schedules;
using TorchSharp;

namespace MlNetVision.Training;

public sealed partial class Learner
{
    /// <summary>
    /// The learning-rate finder (fastai <c>lr_find</c>): trains for up to <paramref name="numIt"/> batches while the
    /// learning rate of every group grows exponentially from <paramref name="startLr"/> towards <paramref name="endLr"/>
    /// (batch <c>i</c> uses <c>start·(end/start)^(i/numIt)</c>), recording the smoothed loss; with
    /// <paramref name="stopDiv"/> it stops once that loss exceeds 4× its minimum or is NaN. Afterwards the weights, the
    /// optimiser state, the frozen state, torch's random generator and the training loader's epoch counter are restored in
    /// memory exactly (no temp files), so a later fit is the same as without the sweep.
    /// The recorder holds the sweep; draw it with <see cref="RecorderPlots.LrFind"/>.
    /// </summary>
    /// <param name="startLr">First learning rate; default 1e-7.</param>
    /// <param name="endLr">Last learning rate; default 10.</param>
    /// <param name="numIt">Maximum number of batches; default 100.</param>
    /// <param name="stopDiv">Stop when the loss diverges; default <see langword="true"/>.</param>
    /// <param name="wd">Weight decay during the sweep; default <see cref="LearnerOptions.WeightDecay"/>.</param>
    /// <param name="cancellationToken">Stops the sweep (the state is still restored); then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>The curve and the suggestions (valley by default, steepest, minimum/10).</returns>
    public LrFindResult LrFind(double startLr = 1e-7, double endLr = 10, int numIt = 100, bool stopDiv = true, double? wd = null, CancellationToken cancellationToken = default)
    {
        if (!(startLr > 0) || !(endLr > startLr)) throw new ArgumentOutOfRangeException(nameof(endLr), "Need 0 < startLr < endLr.");
        if (numIt < 2) throw new ArgumentOutOfRangeException(nameof(numIt), numIt, "Use at least two iterations.");
        var weights = CloneWeights();
        using var optimizer = Optimizer.Snapshot();
        var frozen = CaptureFrozenState();
        var frozenGroups = FrozenGroups;
        using var rng = torch.random.get_rng_state();
        var loaderEpoch = Data.Train.Epoch;
        var finder = new LrFinder(numIt, stopDiv);
        try
        {
            int batches = Math.Max(1, TrainBatchesPerEpoch());
            int epochs = (numIt + batches - 1) / batches;
            var groups = _layerGroups.Count;
            var mom = Options.Optimizer.Beta1;
            var plan = new FitPlan(epochs, i => Enumerable.Repeat(Annealing.Exponential(startLr, endLr, (double)i / numIt), groups).ToArray(), _ => mom,
                wd ?? Options.WeightDecay, Validate: false, StopOnNonFinite: true, MaxIterations: numIt, ShowTable: false);
            Run(plan, [finder], cancellationToken);
        }
        finally
        {
            RestoreWeights(weights);
            DisposeAll(weights);
            Optimizer.Restore(optimizer);
            RestoreFrozenState(frozen, frozenGroups);
            torch.random.set_rng_state(rng);
            Data.Train.Epoch = loaderEpoch;
            GlibcHeap.AtBoundary();
        }
        return new LrFindResult(finder.Lrs, finder.Losses, finder.StopReason);
    }

    private sealed class LrFinder(int numIt, bool stopDiv) : LearnerCallback
    {
        private double _best = double.PositiveInfinity;

        public List<double> Lrs { get; } = [];
        public List<double> Losses { get; } = [];
        public string? StopReason { get; private set; }

        // After the recorder (which smooths the loss), before anything else.
        public override int Order => -50;

        public override void AfterBatch(Learner learner)
        {
            if (!learner.State.Training) return;
            var smooth = learner.State.SmoothLoss;
            Lrs.Add(learner.Optimizer.Groups[^1].LearningRate);
            Losses.Add(smooth);
            if (Lrs.Count == 1 || smooth < _best) _best = smooth;
            if (stopDiv && (double.IsNaN(smooth) || double.IsInfinity(smooth) || smooth > 4 * _best))
            {
                StopReason = $"the smoothed loss diverged ({smooth:G4} > 4 × {_best:G4})";
                learner.State.RequestStop(StopReason, immediately: true);
            }
            else if (Lrs.Count >= numIt) learner.State.RequestStop("swept every learning rate", immediately: true);
        }
    }
}
