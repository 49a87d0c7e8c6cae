using MlNetVision.Models;
using MlNetVision.Training;
using Xunit.Abstractions;

namespace MlNetVision.Tests.Training;

/// <summary>Real training on the committed Fashion-MNIST sample.</summary>
public sealed class LearnerTrainingTests(ITestOutputHelper output) : IDisposable
{
    private readonly FashionSample _sample = new();

    public void Dispose() => _sample.Dispose();

    [Fact]
    public void Should_DriveErrorWellBelowChance_When_FittingTheHeadOnTheSample()
    {
        using var data = FashionSample.Bunch(_sample.Subset(100, 30), size: 32, batchSize: 64);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18MlNet, new LearnerOptions { ProgressWriter = null });
        learn.FitOneCycle(3, 1e-2);

        var last = learn.Recorder.Epochs[^1];
        output.WriteLine(string.Join(" ", learn.Recorder.Epochs.Select(e => e["error_rate"].ToString("0.000"))));
        Assert.Equal(3, learn.Recorder.Epochs.Count);
        Assert.True(last["error_rate"] < 0.6, $"error rate {last["error_rate"]:0.000} after 3 epochs (chance is 0.9)");
        Assert.True(last.ValidLoss < Math.Log(10) * 0.7, $"valid loss {last.ValidLoss:0.000}");
        Assert.Equal(3 * data.Train.BatchCount, learn.Recorder.Losses.Count);

        var preds = learn.GetPreds();
        Assert.Equal(data.Valid.Count, preds.Probabilities.Length);
        Assert.All(preds.Probabilities, p => Assert.Equal(1f, p.Sum(), 3));
        Assert.Equal(last["error_rate"], preds.ErrorRate, 3);
        Assert.Equal(data.Valid.Items.Select(i => i.Label), preds.Targets);
        Assert.Equal(last.ValidLoss, preds.Losses.Average(), 3);
    }

    [Fact]
    public void Should_BeatRandomInitialisation_When_StartingFromPretrainedWeights()
    {
        var path = _sample.Subset(20, 15);
        double Train(bool pretrained)
        {
            using var data = FashionSample.Bunch(path, size: 32, batchSize: 25);
            using var learn = VisionLearner.Create(data, Architectures.ResNet18MlNet, new LearnerOptions { Pretrained = pretrained, ProgressWriter = null });
            learn.Unfreeze();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            learn.FitOneCycle(2, 3e-3);
            output.WriteLine($"pretrained={pretrained}: {string.Join(" ", learn.Recorder.Epochs.Select(e => e["error_rate"].ToString("0.000")))} in {sw.Elapsed.TotalSeconds:0.0}s");
            return learn.Recorder.Epochs[^1]["error_rate"];
        }

        var transfer = Train(pretrained: true);
        var scratch = Train(pretrained: false);
        Assert.True(transfer < scratch - 0.1, $"pretrained {transfer:0.000} vs random init {scratch:0.000}");
    }
}
