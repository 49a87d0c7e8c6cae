using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Training;

namespace MlNetVision.Tests.Training;

public sealed class FineTuneRecipeTests : IDisposable
{
    private readonly FashionSample _sample = new();
    private readonly string _path;

    public FineTuneRecipeTests() => _path = _sample.Subset(6, 3);

    public void Dispose() => _sample.Dispose();

    [Fact]
    public void Should_RunFrozenFinderAndUnfrozenStepsInOrder_When_RateIsAutoAndFreezeToIsOne()
    {
        using var data = FashionSample.Bunch(_path, size: 32, batchSize: 16);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18MlNet, new LearnerOptions { ProgressWriter = null });
        var steps = new List<(FineTuneStep Step, int FrozenGroups)>();
        var record = FineTuneRecipe.Run(learn, new FineTuneOptions { FrozenEpochs = 1, UnfrozenEpochs = 1, FreezeTo = 1, LrFindIterations = 8, SaveBest = true },
            runStep: (step, run) => { steps.Add((step, learn.FrozenGroups)); run(); });

        Assert.Equal([FineTuneStepKind.Frozen, FineTuneStepKind.LrFind, FineTuneStepKind.Unfrozen], steps.Select(s => s.Step.Kind));
        Assert.Equal([2, 1, 1], steps.Select(s => s.FrozenGroups)); // Freeze() for the head, FreezeTo(1) before the finder
        Assert.Equal("frozen phase: fit_one_cycle(1, slice(0.003)), body frozen", steps[0].Step.Description);
        Assert.Same(record.LrFind, steps[2].Step.LrFind);
        Assert.Equal(FineTuneRecipe.ChooseRate(record.LrFind!, LearningRate.Slice(3e-3)).Rate, record.Unfrozen!.LearningRate);
        Assert.Equal(1, record.Unfrozen.FrozenGroups);
        Assert.False(learn.IsTrainable("body.conv1.weight"));
        Assert.True(learn.IsTrainable("body.layer4.0.conv1.weight"));

        // The record holds each phase's own table and per-batch history, frozen first.
        Assert.Equal(2, record.Epochs.Count);
        Assert.Same(learn.Recorder.FitHistory[0][0], record.Frozen!.Epochs[0]);
        Assert.Same(learn.Recorder.Epochs[0], record.Unfrozen.Epochs[0]);
        Assert.Equal(data.Train.BatchCount, record.Frozen.Recorder.Losses.Count);
        Assert.InRange(record.Frozen.Recorder.LearningRates.Max(r => r[2]), 3e-3 / 25, 3e-3 * (1 + 1e-12));
        Assert.All(record.Unfrozen.Recorder.LearningRates, r => Assert.True(r[2] <= record.Unfrozen.LearningRate.High * (1 + 1e-12)));
        Assert.Equal(record.Unfrozen.Last!.ValidLoss < record.Frozen.Last!.ValidLoss, record.UnfrozenBeatFrozen);

        // SaveBest wrote the best epoch of the (last) phase and loaded it back: the weights validate to its valid_loss.
        var (best, _) = Checkpoint.LoadModel(learn.CheckpointPath(FineTuneRecipe.BestModelName));
        using (best) TestLearners.AssertSameWeights(TestLearners.Weights(best), TestLearners.Weights(learn));
        Assert.Equal(record.Unfrozen.Last.ValidLoss, learn.Validate().ValidLoss, 1e-5);
    }

    [Fact]
    public void Should_CapAndSpreadTheSuggestion_When_ChoosingTheRate()
    {
        // A curve falling over 1e-5..1e-1 then rising: its valley sits well inside, below the cap 3e-4.
        var lrs = Enumerable.Range(0, 60).Select(i => 1e-7 * Math.Pow(10, i / 10.0)).ToArray();
        var losses = lrs.Select(lr => Math.Pow(Math.Log10(lr) + 3.5, 2)).ToArray();
        var result = new LrFindResult(lrs, losses);
        var (rate, warning) = FineTuneRecipe.ChooseRate(result, LearningRate.Slice(3e-3));
        Assert.Null(warning);
        Assert.Equal(Math.Min(result.Valley!.Value, 3e-4), rate.High, 1e-15);
        Assert.Equal(rate.High / 100, rate.Low!.Value, 1e-15);
        // A high frozen rate lifts the cap; no suggestion falls back to the cap, with a warning.
        Assert.Equal(result.Valley!.Value, FineTuneRecipe.ChooseRate(result, LearningRate.Slice(10)).Rate.High, 1e-15);
        var (fallback, why) = FineTuneRecipe.ChooseRate(new LrFindResult([1e-3], [1.0]), LearningRate.Slice(3e-3), lrMult: 10);
        Assert.Equal(3e-4, fallback.High, 1e-15);
        Assert.Equal(3e-5, fallback.Low!.Value, 1e-16);
        Assert.Contains("no suggestion", why);
    }

    [Fact]
    public void Should_DocumentEveryDefault_When_OptionsAreCreated()
    {
        var o = new FineTuneOptions();
        Assert.Equal(4, o.FrozenEpochs);
        Assert.Equal(LearningRate.Slice(3e-3), o.FrozenLearningRate);
        Assert.Equal(2, o.UnfrozenEpochs);
        Assert.True(o.UnfrozenLearningRate.IsAuto);
        Assert.Equal(0, o.FreezeTo);
        Assert.Equal(100, o.LrFindIterations);
        Assert.Equal(100, o.AutoLrMult);
        Assert.Null(o.EarlyStoppingPatience);
        Assert.False(o.SaveBest);
        Assert.Equal((25, 0.3), (o.FrozenCycle.DivFactor, o.FrozenCycle.PctStart));
        Assert.Equal((25, 0.3), (o.UnfrozenCycle.DivFactor, o.UnfrozenCycle.PctStart));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FineTuneOptions { FrozenEpochs = 0, UnfrozenEpochs = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FineTuneOptions { FrozenLearningRate = LearningRate.Auto }.Validate());
        Assert.Null(o.LabelSmoothing);
        Assert.Null(o.MixUpAlpha);
        Assert.Null(o.CutMixAlpha);
        Assert.Null(o.AccumulateSamples);
        Assert.False(o.MixedPrecision);
        Assert.Null(o.CreateLoss());
        Assert.Empty(o.CreateCallbacks());
    }

    [Fact]
    public void Should_BuildFastAisLossAndCallbacks_When_ExtrasAreSet()
    {
        var o = new FineTuneOptions { LabelSmoothing = 0.1, CutMixAlpha = 1, AccumulateSamples = 64 };
        Assert.Equal("label_smoothing_cross_entropy(eps=0.1)", o.CreateLoss()!.ToString());
        Assert.Equal(["CutMix(alpha=1)", "GradientAccumulation(n_acc=64)"], o.CreateCallbacks().Select(c => c.ToString()));
        Assert.Equal(0.1, Assert.IsType<MlNetVision.Training.Losses.LabelSmoothingCrossEntropy>(o.CreateLoss()).Eps);
        Assert.Throws<ArgumentException>(() => new FineTuneOptions { MixUpAlpha = 0.4, CutMixAlpha = 1 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FineTuneOptions { LabelSmoothing = 1.5 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FineTuneOptions { MixUpAlpha = 0 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new FineTuneOptions { AccumulateSamples = 0 }.Validate());
    }
}
