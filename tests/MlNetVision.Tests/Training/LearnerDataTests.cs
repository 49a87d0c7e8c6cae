using MlNetVision.Models;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Training;

/// <summary>Progressive resizing (fastai <c>learn.dls = get_dls(bs, size)</c>): new data at another size, training goes on from the same weights.</summary>
public sealed class LearnerDataTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string[] Four = ["bag", "coat", "sandal", "trouser"];
    private readonly FashionSample _sample = new();

    public void Dispose() => _sample.Dispose();

    /// <summary>At the start of the next fit: how far the weights are from the ones given, and the size of the batches.</summary>
    private sealed class NextFitProbe(Dictionary<string, Tensor> expected) : LearnerCallback
    {
        public double WeightDifference { get; private set; } = double.NaN;
        public long[] BatchShape { get; private set; } = [];

        public override void BeforeFit(Learner learner)
        {
            using var scope = NewDisposeScope();
            WeightDifference = learner.Model.state_dict().Max(kv => kv.Value.to_type(ScalarType.Float64).sub(expected[kv.Key].to_type(ScalarType.Float64)).abs().max().item<double>());
        }

        public override void BeforeBatch(Learner learner)
        {
            if (BatchShape.Length == 0) BatchShape = learner.State.Images!.shape;
        }
    }

    [Fact]
    public void Should_GoOnTrainingFromTheSameWeights_When_GivenDataAtAnotherSize()
    {
        var path = _sample.Subset(16, 8, Four);
        using var small = FashionSample.Bunch(path, size: 32, batchSize: 8);
        using var learn = VisionLearner.Create(small, Architectures.ResNet18MlNet, new LearnerOptions { ProgressWriter = null });
        learn.FitOneCycle(2, 3e-3);
        var at32 = learn.Recorder.Epochs[^1].ValidLoss;
        var frozen = learn.FrozenGroups;
        var modelDirectory = learn.ModelDirectory;
        var trained = learn.CloneWeights();

        using var large = FashionSample.Bunch(path, size: 48, batchSize: 8);
        learn.Data = large;
        var atSwitch = learn.Validate().ValidLoss;
        var probe = new NextFitProbe(trained);
        learn.FitOneCycle(2, 3e-3, callbacks: [probe]);

        // A second learner on the 48 px data: untrained, then given the weights trained at 32 px.
        double untrained, sameWeights;
        using (var fresh = VisionLearner.Create(large, Architectures.ResNet18MlNet, new LearnerOptions { ProgressWriter = null }))
        {
            untrained = fresh.Validate().ValidLoss;
            fresh.RestoreWeights(trained);
            sameWeights = fresh.Validate().ValidLoss;
        }
        Learner.DisposeAll(trained);
        var after = learn.Recorder.Epochs[^1].ValidLoss;
        output.WriteLine($"valid loss at 32 px {at32:0.000}; at 48 px: untrained head {untrained:0.000}, after 32 px {atSwitch:0.000}, after 48 px {after:0.000}");
        Assert.Same(large, learn.Data);
        Assert.Equal(0, probe.WeightDifference);
        Assert.Equal([8L, 3, 48, 48], probe.BatchShape);
        Assert.Equal(frozen, learn.FrozenGroups);
        Assert.True(frozen > 0, "a pretrained learner starts frozen");
        Assert.Equal(modelDirectory, learn.ModelDirectory);
        Assert.Equal(sameWeights, atSwitch, 6);
        Assert.NotEqual(untrained, atSwitch, 2);
        Assert.True(after < atSwitch, $"training on at 48 px should lower the valid loss: {atSwitch:0.000} → {after:0.000}");
        Assert.Equal(after, learn.GetPreds().Losses.Average(), 4);
    }

    [Fact]
    public void Should_RefuseTheData_When_ItsClassListDiffers()
    {
        using var data = FashionSample.Bunch(_sample.Subset(2, 1, Four), size: 32, batchSize: 4);
        using var other = FashionSample.Bunch(_sample.Subset(2, 1, ["bag", "coat", "sandal", "shirt"]), size: 48, batchSize: 4);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });

        var e = Assert.Throws<ArgumentException>(() => learn.Data = other);
        Assert.Contains("bag, coat, sandal, shirt", e.Message);
        Assert.Contains("bag, coat, sandal, trouser", e.Message);
        Assert.Same(data, learn.Data);
    }
}
