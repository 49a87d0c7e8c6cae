using MlNetVision.Models;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary>What MixUp and CutMix share (fastai <c>MixHandler</c>): validation, its loss and the metrics see un-mixed images and targets.</summary>
public sealed class MixHandlerTests : IDisposable
{
    private readonly FashionSample _sample = new();
    private readonly string _path;

    public MixHandlerTests() => _path = _sample.Subset(4, 2, ["bag", "coat", "sandal", "trouser"]);

    public void Dispose() => _sample.Dispose();

    public static TheoryData<string> Handlers => new() { nameof(MixUp), nameof(CutMix) };

    [Theory]
    [MemberData(nameof(Handlers))]
    public void Should_ValidateOnUnmixedTargets_When_TrainingWithAMixHandler(string handler)
    {
        using var data = FashionSample.Bunch(_path, size: 32, batchSize: 8);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });
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
