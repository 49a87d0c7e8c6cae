using MlNetVision.Data;
using MlNetVision.Interpretation;
using MlNetVision.Models;
using MlNetVision.Tests.Training;
using MlNetVision.Training;
using SkiaSharp;

namespace MlNetVision.Tests.Interpretation;

/// <summary>Interpretation and report of a real learner trained for one epoch on a slice of the Fashion-MNIST sample.</summary>
public sealed class LearnerInterpretationTests : IDisposable
{
    private readonly FashionSample _sample = new();

    public void Dispose() => _sample.Dispose();

    [Fact]
    public void Should_InterpretValidationPredictions_When_LearnerHasTrained()
    {
        using var data = FashionSample.Bunch(_sample.Subset(10, 5), size: 32, batchSize: 25);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18MlNet, new LearnerOptions { ProgressWriter = null });
        learn.FitOneCycle(1, 1e-2);

        var interp = ClassificationInterpretation.FromLearner(learn);
        var preds = learn.GetPreds();
        Assert.Equal(data.Valid.Count, interp.Count);
        Assert.Equal(data.Classes, interp.Classes);
        Assert.Equal(data.Valid.Items.Select(i => i.Label), interp.Targets);
        Assert.Equal(preds.Losses, interp.Losses);
        Assert.Equal(preds.PredictedIndices, interp.Predicted);
        Assert.Equal(1 - learn.Recorder.Epochs[^1]["error_rate"], interp.Accuracy(), 3);
        Assert.Equal(data.Valid.Items[7].Path, interp.Items!.Describe(7));
        var top = interp.TopLosses(1)[0];
        Assert.Equal(preds.Losses.Max(), top.Loss);
        Assert.Equal(preds.Probabilities[top.Index][top.Actual], top.ProbabilityOfActual);
        Assert.Throws<ArgumentException>(() => ClassificationInterpretation.FromLearner(learn, DatasetSplit.Test));

        var report = TrainingReport.FromLearner(learn, interpretation: interp);
        Assert.Single(report.Epochs);
        Assert.Equal(["error_rate"], report.Epochs[0].Metrics.Select(m => m.Name));
        Assert.Contains(report.Summary, kv => kv.Key == "Architecture" && kv.Value == Architectures.ResNet18MlNet.Name);
        using (var loss = SKBitmap.Decode(report.LossPlot))
            Assert.Equal((800, 500), (loss.Width, loss.Height));
        Assert.NotNull(SKBitmap.Decode(report.LearningRatePlot));
        Assert.Null(report.LrFinderPlot);

        // Real Fashion-MNIST images in the top-losses grid: 9 items, 3 × 3.
        using var grid = SKBitmap.Decode(TopLossesPlot.Render(interp, 9));
        Assert.Equal((3 * 224 + 4 * 12, 36 + 3 * (44 + 224) + 4 * 12), (grid.Width, grid.Height));
        var html = HtmlReport.Render(report);
        foreach (var id in new[] { "summary", "epochs", "plots", "confusion", "most-confused", "per-class", "top-losses" })
            Assert.Contains($"<section id=\"{id}\">", html);
    }
}
