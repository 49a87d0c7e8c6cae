using MlNetVision.Models;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary>fastai's <c>GradientAccumulation</c>: n small batches give the gradient of one big batch.</summary>
public sealed class GradientAccumulationTests : IDisposable
{
    private readonly FashionSample _sample = new();
    private readonly string _path;
    private readonly ITestOutputHelper _output;

    public GradientAccumulationTests(ITestOutputHelper output)
    {
        _output = output;
        _path = _sample.Subset(4, 1, ["bag", "coat", "sandal", "trouser"]); // 16 train images
    }

    public void Dispose() => _sample.Dispose();

    /// <summary>Puts the model in eval mode for every batch (BatchNorm on running statistics, no dropout) and records what the loop did.</summary>
    private sealed class Probe(int stopAfterBatch) : LearnerCallback, IDisposable
    {
        public List<Tensor> Images { get; } = [];
        public List<Tensor> Labels { get; } = [];
        public Dictionary<string, Tensor> Accumulated { get; } = [];
        public Dictionary<string, Tensor> WeightsAtStart { get; } = [];
        public List<bool> Skipped { get; } = [];
        public int StepsSeen { get; private set; }
        public bool WeightsHeldWhileSkipping { get; private set; } = true;

        public override int Order => 50; // after GradientAccumulation (0) decides

        public override void BeforeFit(Learner learner)
        {
            using var noGrad = no_grad();
            foreach (var (name, p) in learner.Model.named_parameters()) WeightsAtStart[name] = p.detach().clone().DetachFromDisposeScope();
        }

        public override void BeforeBatch(Learner learner)
        {
            learner.Model.eval();
            Images.Add(learner.State.Images!.detach().clone().DetachFromDisposeScope());
            Labels.Add(learner.State.Labels!.clone().DetachFromDisposeScope());
        }

        public override void AfterBackward(Learner learner)
        {
            Skipped.Add(learner.State.StepSkipped);
            if (StepsSeen == 0)
                foreach (var (name, p) in learner.Model.named_parameters())
                    if (!p.detach().allclose(WeightsAtStart[name], rtol: 0, atol: 0)) WeightsHeldWhileSkipping = false;
            if (learner.State.Batch == stopAfterBatch && learner.State.Epoch == 0)
            {
                foreach (var (name, p) in learner.Model.named_parameters()) Accumulated[name] = p.grad!.clone().DetachFromDisposeScope();
                learner.State.RequestStop("captured", immediately: true);
            }
        }

        public override void AfterStep(Learner learner) => StepsSeen++;

        public void Dispose()
        {
            foreach (var t in Images.Concat(Labels).Concat(Accumulated.Values).Concat(WeightsAtStart.Values)) t.Dispose();
        }
    }

    [Fact]
    public void Should_GiveTheBigBatchGradient_When_FourBatchesAreAccumulated()
    {
        using var data = FashionSample.Bunch(_path, size: 32, batchSize: 4);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });
        var accumulation = new GradientAccumulation(samplesPerStep: 16);
        using var probe = new Probe(stopAfterBatch: 3);
        learn.Fit(1, 1e-3, callbacks: [accumulation, probe]);

        Assert.Equal([true, true, true, false], probe.Skipped);
        Assert.True(probe.WeightsHeldWhileSkipping, "no step may change the weights before the 16th sample");
        Assert.Equal(1, probe.StepsSeen);
        Assert.Equal(1, accumulation.Steps);

        // The same 16 images as one batch, from the same starting weights, BatchNorm in eval mode.
        using (no_grad())
            foreach (var (name, p) in learn.Model.named_parameters()) p.copy_(probe.WeightsAtStart[name]);
        learn.Optimizer.ZeroGrad();
        learn.Model.eval();
        using var scope = NewDisposeScope();
        nn.functional.cross_entropy(learn.Model.forward(cat(probe.Images, 0)), cat(probe.Labels, 0)).backward();
        double worst = 0, largest = 0;
        foreach (var (name, p) in learn.Model.named_parameters())
        {
            var big = p.grad!;
            worst = Math.Max(worst, (big - probe.Accumulated[name]).abs().max().ToDouble());
            largest = Math.Max(largest, big.abs().max().ToDouble());
        }
        _output.WriteLine($"max |accumulated - big batch| = {worst:E2}, largest gradient component {largest:E2}");
        Assert.True(largest > 1e-3, $"the gradient should not vanish (largest {largest})");
        Assert.True(worst <= 1e-5 * Math.Max(1, largest), $"accumulated and big-batch gradients differ by {worst} (largest component {largest})");
    }

    [Fact]
    public void Should_StepOncePerTwoBatches_When_AccumulatingEightSamplesOverTwoEpochs()
    {
        using var data = FashionSample.Bunch(_path, size: 32, batchSize: 4);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });
        var accumulation = new GradientAccumulation(8);
        using var probe = new Probe(stopAfterBatch: -1);
        learn.Fit(2, 1e-3, callbacks: [accumulation, probe]);
        Assert.Equal([true, false, true, false, true, false, true, false], probe.Skipped);
        Assert.Equal(4, probe.StepsSeen);
        Assert.Equal(4, accumulation.Steps);
        Assert.Equal(8, learn.Recorder.Losses.Count);
    }

    [Fact]
    public void Should_UseFastAiDefault_When_CreatedWithoutArguments()
    {
        Assert.Equal(32, GradientAccumulation.DefaultSamplesPerStep);
        Assert.Equal(32, new GradientAccumulation().SamplesPerStep);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradientAccumulation(0));
    }
}
