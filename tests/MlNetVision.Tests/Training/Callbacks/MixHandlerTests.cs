using MlNetVision.Training;
using MlNetVision.Training.Callbacks;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary>What MixUp and CutMix share (fastai <c>MixHandler</c>): validation, its loss and the metrics see un-mixed images and targets.</summary>
public sealed class MixHandlerTests
{
    public static TheoryData<string> Handlers => new() { nameof(MixUp), nameof(CutMix) };

    [Theory]
    [MemberData(nameof(Handlers))]
    public void Should_ValidateOnUnmixedTargets_When_TrainingWithAMixHandler(string handler)
    {
        using var tiny = new TinyScratchLearner(trainPerClass: 4);
        var learn = tiny.Learner;
        MixHandler mix = handler == nameof(MixUp) ? new MixUp() : new CutMix();
        learn.Fit(1, 1e-3, callbacks: [mix]);

        var epoch = learn.Recorder.Epochs.Single();
        var preds = learn.GetPreds();
        var plainLoss = preds.Losses.Average();
        var errorRate = preds.Probabilities.Select((p, i) => Array.IndexOf(p, p.Max()) == preds.Targets[i] ? 0.0 : 1.0).Average();
        Assert.Equal(plainLoss, epoch.ValidLoss, 4);
        Assert.Equal(errorRate, epoch.Metrics.Single(m => m.Key == "error_rate").Value, 6);
        Assert.Equal(epoch.ValidLoss, learn.Validate().ValidLoss, 6);
        Assert.Null(mix.Lambda);
    }
}
