using MlNetVision.Rendering;
using MlNetVision.Training.Callbacks;

namespace MlNetVision.Training;

/// <summary>
/// Always attached to a <see cref="Learner"/>: records per training batch the raw and smoothed loss, the learning
/// rate of each layer group and the momentum, and per epoch the validation loss and metrics (fastai's <c>Recorder</c>).
/// The smoothed loss is an exponential moving average with β 0.98, debiased (fastai <c>SmoothenValue</c>).
/// Drawing is done by <see cref="RecorderPlots"/>. Values are reset at the start of every fit.
/// </summary>
public sealed class Recorder : LearnerCallback
{
    /// <summary>The smoothing factor of <see cref="SmoothLosses"/>.</summary>
    public const double SmoothingBeta = 0.98;

    private readonly List<float> _losses = [];
    private readonly List<double> _smoothLosses = [];
    private readonly List<double[]> _lrs = [];
    private readonly List<double> _moms = [];
    private readonly List<EpochResult> _epochs = [];
    private readonly List<int> _epochEnds = [];
    private readonly List<IReadOnlyList<EpochResult>> _history = [];
    private double _movingAverage;
    private int _count;

    /// <summary>Runs before every other callback so they see the smoothed loss.</summary>
    public override int Order => -100;

    /// <summary>Raw training loss of every batch.</summary>
    public IReadOnlyList<float> Losses => _losses;

    /// <summary>Smoothed training loss after every batch.</summary>
    public IReadOnlyList<double> SmoothLosses => _smoothLosses;

    /// <summary>Learning rate of every layer group at every batch (first group first).</summary>
    public IReadOnlyList<double[]> LearningRates => _lrs;

    /// <summary>Momentum (Adam's beta1) at every batch.</summary>
    public IReadOnlyList<double> Momentums => _moms;

    /// <summary>The epoch table: one row per finished epoch.</summary>
    public IReadOnlyList<EpochResult> Epochs => _epochs;

    /// <summary>The number of batches recorded at the end of each epoch (where validation points go on the loss plot).</summary>
    public IReadOnlyList<int> EpochEnds => _epochEnds;

    /// <summary>The epoch table of every fit of this learner so far (the learning-rate finder excluded), oldest first; <see cref="Epochs"/> is the last one.</summary>
    public IReadOnlyList<IReadOnlyList<EpochResult>> FitHistory => _history;

    /// <summary>Names of the metric columns, in order.</summary>
    public IReadOnlyList<string> MetricNames { get; private set; } = [];

    /// <summary>Feeds <paramref name="value"/> into the moving average and returns the debiased smoothed value.</summary>
    internal double Smooth(float value)
    {
        _count++;
        _movingAverage = SmoothingBeta * _movingAverage + (1 - SmoothingBeta) * value;
        return _movingAverage / (1 - Math.Pow(SmoothingBeta, _count));
    }

    /// <summary>A copy of what was recorded so far (not attached to any learner), e.g. to plot a finished phase later.</summary>
    internal Recorder Snapshot()
    {
        var copy = new Recorder { MetricNames = MetricNames };
        copy._losses.AddRange(_losses);
        copy._smoothLosses.AddRange(_smoothLosses);
        copy._lrs.AddRange(_lrs.Select(r => (double[])r.Clone()));
        copy._moms.AddRange(_moms);
        copy._epochs.AddRange(_epochs);
        copy._epochEnds.AddRange(_epochEnds);
        copy._history.AddRange(_history);
        return copy;
    }

    /// <summary>Where the recording stands (batches, epochs, smoothing), for <see cref="Rewind"/>.</summary>
    internal readonly record struct Position(int Batches, int Epochs, double MovingAverage, int Count);

    internal Position Mark() => new(_losses.Count, _epochs.Count, _movingAverage, _count);

    /// <summary>Forgets what was recorded after <paramref name="position"/> (an epoch that AutoBatchSize restarts).</summary>
    internal void Rewind(Position position)
    {
        static void Cut<T>(List<T> list, int count) => list.RemoveRange(count, list.Count - count);
        Cut(_losses, position.Batches); Cut(_smoothLosses, position.Batches); Cut(_lrs, position.Batches); Cut(_moms, position.Batches);
        Cut(_epochs, position.Epochs); Cut(_epochEnds, position.Epochs);
        _movingAverage = position.MovingAverage;
        _count = position.Count;
    }

    /// <inheritdoc/>
    public override void BeforeFit(Learner learner)
    {
        _losses.Clear(); _smoothLosses.Clear(); _lrs.Clear(); _moms.Clear(); _epochs.Clear(); _epochEnds.Clear();
        _movingAverage = 0; _count = 0;
        MetricNames = learner.Metrics.Select(m => m.Name).ToArray();
    }

    /// <inheritdoc/>
    public override void AfterLoss(Learner learner)
    {
        var state = learner.State;
        if (!state.Training) return;
        state.SmoothLoss = Smooth(state.Loss);
    }

    /// <inheritdoc/>
    public override void AfterBatch(Learner learner)
    {
        var state = learner.State;
        if (!state.Training) return;
        _losses.Add(state.Loss);
        _smoothLosses.Add(state.SmoothLoss);
        var opt = learner.Optimizer;
        _lrs.Add(opt.Groups.Select(g => g.LearningRate).ToArray());
        _moms.Add(opt.Groups[^1].Beta1);
    }

    /// <inheritdoc/>
    public override void AfterEpoch(Learner learner)
    {
        if (learner.State.LastEpoch is { } row) _epochs.Add(row);
        _epochEnds.Add(_losses.Count);
    }

    /// <inheritdoc/>
    public override void AfterFit(Learner learner)
    {
        if (_epochs.Count > 0 && _epochs.All(e => double.IsFinite(e.ValidLoss))) _history.Add(_epochs.ToArray());
    }

    /// <summary>Draws training and validation losses to a PNG (see <see cref="RecorderPlots.Losses"/>).</summary>
    /// <returns>The full path written.</returns>
    public string PlotLosses(string path) => RecorderPlots.Losses(this, path);

    /// <summary>Draws the learning rate and momentum schedules to a PNG (see <see cref="RecorderPlots.LearningRate"/>).</summary>
    /// <returns>The full path written.</returns>
    public string PlotLr(string path) => RecorderPlots.LearningRate(this, path);

    /// <summary>Draws the metrics per epoch to a PNG (see <see cref="RecorderPlots.Metrics"/>).</summary>
    /// <returns>The full path written.</returns>
    public string PlotMetrics(string path) => RecorderPlots.Metrics(this, path);
}
