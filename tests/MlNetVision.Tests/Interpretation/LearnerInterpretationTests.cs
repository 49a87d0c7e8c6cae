using MlNetVision.Data;
using MlNetVision.Interpretation;
using MlNetVision.Models;
using MlNetVision.Rendering;
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
        Assert.Equal(data.Valid.Items[7].Path, interp.Items!.Path(7));
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
        using (var lr = SKBitmap.Decode(report.LearningRatePlot))
            Assert.Equal((800, 500), (lr.Width, lr.Height));
        Assert.Null(report.LrFinderPlot);

        // Real Fashion-MNIST images in the top-losses grid: 9 items, 3 × 3.
        using var grid = SKBitmap.Decode(TopLossesPlot.Render(interp, 9));
        Assert.Equal((3 * 224 + 4 * 12, 36 + 3 * (44 + 224) + 4 * 12), (grid.Width, grid.Height));
        var html = HtmlReport.Render(report);
        foreach (var id in new[] { "summary", "epochs", "plots", "confusion", "most-confused", "per-class", "top-losses" })
            Assert.Contains($"<section id=\"{id}\">", html);
    }

    private sealed class BytesRow
    {
        public byte[] Image { get; set; } = [];
        public string Label { get; set; } = "";
    }

    [Fact]
    public void Should_DrawTheImagesOfTopLosses_When_TheBunchHoldsBytesFromAnMlNetColumn()
    {
        var root = _sample.Subset(4, 3, ["bag", "trouser"]);
        var rows = ImageFolders.ClassFolders(Path.Combine(root, "train")).Concat(ImageFolders.ClassFolders(Path.Combine(root, "valid")))
            .Select(f => new BytesRow { Image = File.ReadAllBytes(f.Path), Label = f.Label }).ToList();
        var ml = new Microsoft.ML.MLContext(seed: 1);
        using var data = ImageDataBunch.FromDataView(ml.Data.LoadFromEnumerable(rows), "Image", "Label", root,
            new ImageDataBunchOptions { Size = 32, BatchSize = 7, ValidPct = 0.5, NumWorkers = 2, Log = TextWriter.Null });
        using var learn = VisionLearner.Create(data, Architectures.ResNet18MlNet, new LearnerOptions { ProgressWriter = null });

        var interp = ClassificationInterpretation.FromLearner(learn);

        Assert.NotNull(interp.Items);
        Assert.All(Enumerable.Range(0, interp.Count), i => Assert.Null(interp.Items!.Path(i)));
        var top = interp.TopLosses(1)[0];
        var row = int.Parse(data.Valid.Items[top.Index].Path["dataview:row/".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(rows[row].Image, interp.Items!.Load(top.Index));
        // The first cell of the grid shows that item's picture (the 28 px image fills the 224 px box).
        using var grid = SKBitmap.Decode(TopLossesPlot.Render(interp, 1));
        using var source = SKBitmap.Decode(rows[row].Image);
        static double Mean(SKBitmap b, int x0, int y0, int side)
        {
            double sum = 0;
            for (int y = y0; y < y0 + side; y++) for (int x = x0; x < x0 + side; x++) sum += b.GetPixel(x, y).Red;
            return sum / (side * side);
        }
        var expected = Mean(source, 0, 0, 28);
        Assert.InRange(Mean(grid, 12, 12 + 36 + 44, 224), expected - 6, expected + 6);
    }
}
