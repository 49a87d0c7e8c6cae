using MlNetVision.Data;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using MlNetVision.Training.Metrics;
using TorchSharp;
using static MlNetVision.Tests.Training.TestLearners;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary>The training loop's callback events in order (fastai's named events), <see cref="EarlyStopping"/> and cancellation, on a tiny real subset.</summary>
public sealed class LearnerCallbackTests : IDisposable
{
    private readonly FashionSample _sample = new();
    private readonly string _path;

    public LearnerCallbackTests() => _path = _sample.Subset(6, 3);

    public void Dispose() => _sample.Dispose();

    private ImageDataBunch Tiny(int seed = 42) => TestLearners.Tiny(_path, seed);

    [Fact]
    public void Should_RunCallbacksInOrderAndStop_When_EarlyStoppingAndCancelling()
    {
        using var data = Tiny();
        var constant = Metric.FromFunction("constant", (o, _) => torch.tensor(1f));
        using var learn = Create(data, options: new LearnerOptions { Metrics = [new ErrorRate(), new Accuracy(), constant] });
        var events = new EventLog();
        learn.Fit(5, 1e-4, callbacks: [events, new EarlyStopping("constant", patience: 0, lowerIsBetter: false)]);
        Assert.Equal(2, learn.Recorder.Epochs.Count);
        Assert.Contains("no improvement in constant", learn.State.StopReason);
        Assert.Same(learn.Recorder.Epochs[0], Assert.Single(learn.Recorder.FitHistory)[0]);
        Assert.Equal(["BeforeFit", "BeforeEpoch", "BeforeBatch", "AfterLoss", "AfterBackward", "AfterStep", "AfterBatch"], events.Names.Take(7));
        // Validation batches get the batch events too (no backward, no step), then AfterValidate closes the pass.
        Assert.Equal(["BeforeValidate", "BeforeBatch", "AfterLoss", "AfterBatch"], events.Names.SkipWhile(n => n != "BeforeValidate").Take(4));
        Assert.Equal(["AfterValidate", "AfterEpoch"], events.Names.SkipWhile(n => n != "AfterValidate").Take(2));
        var validation = events.Names.SkipWhile(n => n != "BeforeValidate").TakeWhile(n => n != "AfterValidate").ToList();
        Assert.Equal(data.Valid.BatchCount, validation.Count(n => n == "AfterBatch"));
        Assert.DoesNotContain("AfterStep", validation);
        Assert.Equal("AfterFit", events.Names[^1]);
        Assert.Equal(1.0 - learn.Recorder.Epochs[^1]["error_rate"], learn.Recorder.Epochs[^1]["accuracy"], 6);

        using var cts = new CancellationTokenSource();
        var progress = new List<TrainingProgress>();
        var reporting = new LearnerOptions { Progress = new SyncProgress(p => { progress.Add(p); cts.Cancel(); }) };
        using var cancelled = Create(data, options: reporting);
        Assert.Throws<OperationCanceledException>(() => cancelled.Fit(3, 1e-4, cancellationToken: cts.Token));
        Assert.Single(cancelled.Recorder.Losses);
        Assert.Equal(TrainingProgressKind.TrainingBatch, Assert.Single(progress).Kind);
    }

    private sealed class EventLog : LearnerCallback
    {
        public List<string> Names { get; } = [];
        public override void BeforeFit(Learner l) => Names.Add(nameof(BeforeFit));
        public override void BeforeEpoch(Learner l) => Names.Add(nameof(BeforeEpoch));
        public override void BeforeBatch(Learner l) => Names.Add(nameof(BeforeBatch));
        public override void AfterLoss(Learner l) => Names.Add(nameof(AfterLoss));
        public override void AfterBackward(Learner l) => Names.Add(nameof(AfterBackward));
        public override void AfterStep(Learner l) => Names.Add(nameof(AfterStep));
        public override void AfterBatch(Learner l) => Names.Add(nameof(AfterBatch));
        public override void BeforeValidate(Learner l) => Names.Add(nameof(BeforeValidate));
        public override void AfterValidate(Learner l) => Names.Add(nameof(AfterValidate));
        public override void AfterEpoch(Learner l) => Names.Add(nameof(AfterEpoch));
        public override void AfterFit(Learner l) => Names.Add(nameof(AfterFit));
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
