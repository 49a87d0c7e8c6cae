using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using SkiaSharp;
using static MlNetVision.Tests.Training.TestLearners;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary><see cref="ConsoleProgress"/>: fastai's epoch table written to <see cref="LearnerOptions.ProgressWriter"/>, on a tiny real subset.</summary>
public sealed class ConsoleProgressTests : IDisposable
{
    private readonly FashionSample _sample = new();
    private readonly string _path;

    public ConsoleProgressTests() => _path = _sample.Subset(6, 3);

    public void Dispose() => _sample.Dispose();

    private ImageDataBunch Tiny(int seed = 42) => TestLearners.Tiny(_path, seed);

    [Fact]
    public void Should_WriteTheEpochTable_When_AWriterIsGiven()
    {
        using var data = Tiny();
        var writer = new StringWriter();
        using var learn = VisionLearner.Create(data, Architectures.ResNet18MlNet, new LearnerOptions { ProgressWriter = writer });
        learn.FitOneCycle(1);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("epoch", lines[0]);
        Assert.Contains("train_loss", lines[0]);
        Assert.Contains("error_rate", lines[0]);
        Assert.Matches(@"^0\s+\d+\.\d{6}\s+\d+\.\d{6}\s+\d+\.\d{6}\s+00:\d\d", lines[1]);

        var losses = learn.Recorder.PlotLosses(Path.Combine(_path, "losses.png"));
        var lr = learn.Recorder.PlotLr(Path.Combine(_path, "lr.png"));
        var metrics = learn.Recorder.PlotMetrics(Path.Combine(_path, "metrics.png"));
        foreach (var png in new[] { losses, lr, metrics })
        {
            using var bitmap = SKBitmap.Decode(png);
            Assert.Equal(800, bitmap.Width);
        }
    }
}
