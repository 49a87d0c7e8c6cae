using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Training;

public sealed class OutOfMemoryTests : IDisposable
{
    private readonly FashionSample _sample = new();

    public OutOfMemoryTests() => NativeBackend.EnsureLoaded();

    public void Dispose() => _sample.Dispose();

    [Fact]
    public void Should_RecogniseLibTorchsAllocationFailure_When_ATensorDoesNotFit()
    {
        // 2^40 floats = 4 TiB: libtorch's CPU allocator refuses it on this machine.
        var ex = Record.Exception(() => { using var t = empty(1L << 40, dtype: ScalarType.Float32); });
        Assert.NotNull(ex);
        Assert.True(Learner.IsOutOfMemory(ex), ex.GetType() + ": " + ex.Message);
        Assert.False(Learner.IsOutOfMemory(new InvalidOperationException("shapes do not match")));
    }

    private Learner Tiny(bool autoBatchSize, StringWriter log, int batchSize = 8)
    {
        // 2 classes x 8 training images: 2 batches of 8 per epoch, 4 of 4 after halving.
        var data = FashionSample.Bunch(_sample.Subset(8, 2, ["bag", "trouser"]), size: 32, batchSize: batchSize);
        return VisionLearner.Create(data, Architectures.ResNet18MlNet,
            new LearnerOptions { AutoBatchSize = autoBatchSize, ProgressWriter = null, Log = log, Seed = 1 });
    }

    [Fact]
    public void Should_NameTheBatchAndImageSizeAndABatchSizeToTry_When_ABatchDoesNotFit()
    {
        var log = new StringWriter();
        using var learner = Tiny(autoBatchSize: false, log);
        using var data = learner.Data;
        learner.AllocationFailure = _ => true;

        var error = Assert.Throws<InsufficientMemoryException>(() => learner.Fit(1));
        Assert.Equal(
            "Ran out of memory training resnet18-mlnet on cpu with batches of 8 images of 32x32. Try a batch size of 4 (BatchSize = 4; CLI --bs 4) " +
            "or a smaller image size, or set AutoBatchSize to halve it automatically.", error.Message);
        Assert.True(Learner.IsOutOfMemory(error.InnerException!), error.InnerException!.Message); // libtorch's own allocator failure
        Assert.Equal(8, learner.Data.BatchSize);
    }

    [Fact]
    public void Should_HalveTheBatchAndRestartTheEpochFromItsWeights_When_AutoBatchSizeMeetsAnAllocationFailure()
    {
        var log = new StringWriter();
        using var learner = Tiny(autoBatchSize: true, log);
        using var data = learner.Data;
        // The second batch of the second epoch does not fit while batches hold more than 4 images.
        learner.AllocationFailure = l => l.State.Epoch == 1 && l.State.Batch == 1 && l.Data.BatchSize > 4;
        var probe = new WeightsAtEpochStart();

        learner.FitOneCycle(2, callbacks: [probe]);

        Assert.Equal(4, learner.Data.BatchSize);
        Assert.Equal(4, learner.Data.Train.BatchCount);
        Assert.Contains(
            "MlNetVision: out of memory with batches of 8 images of 32x32 on cpu in epoch 1: AutoBatchSize halves the batch to 4 and restarts the epoch from the weights before it.",
            log.ToString());
        // Epoch 0 once, epoch 1 twice: the restart began from exactly the weights the failed attempt began from.
        Assert.Equal([0, 1, 1], probe.Epochs);
        Assert.Equal(probe.Sums[1], probe.Sums[2]);
        Assert.NotEqual(probe.Sums[0], probe.Sums[1]);
        // The recorder forgot the abandoned batch: 2 batches of 8, then 4 of 4.
        Assert.Equal(2 + 4, learner.Recorder.Losses.Count);
        Assert.Equal([2, 6], learner.Recorder.EpochEnds);
        Assert.Equal(2, learner.Recorder.Epochs.Count);
        Assert.All(learner.Recorder.Epochs, e => Assert.True(double.IsFinite(e.ValidLoss)));
        // The one-cycle schedule still ends where it should: the last step is at maxLr / (25 * 1e4).
        Assert.Equal(3e-3 / 25e4, learner.Recorder.LearningRates[^1][^1], 1e-12);
    }

    [Fact]
    public void Should_StopWithTheMessage_When_AutoBatchSizeCannotGoBelowTwo()
    {
        var log = new StringWriter();
        using var learner = Tiny(autoBatchSize: true, log, batchSize: 2);
        using var data = learner.Data;
        learner.AllocationFailure = _ => true;

        var error = Assert.Throws<InsufficientMemoryException>(() => learner.Fit(1));
        Assert.Contains("batches of 2 images of 32x32. Try a batch size of 2", error.Message);
        Assert.DoesNotContain("halves the batch", log.ToString());
    }

    private sealed class WeightsAtEpochStart : LearnerCallback
    {
        public List<int> Epochs { get; } = [];
        public List<double> Sums { get; } = [];

        public override void BeforeEpoch(Learner learner)
        {
            using var scope = NewDisposeScope();
            Epochs.Add(learner.State.Epoch);
            Sums.Add(learner.Model.Head.parameters().Sum(p => p.abs().sum().cpu().to_type(ScalarType.Float64).item<double>()));
        }
    }
}
