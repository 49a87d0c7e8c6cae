using System.Diagnostics;
using MlNetVision.Data;
using MlNetVision.Interpretation;
using MlNetVision.Models;
using MlNetVision.Rendering;
using MlNetVision.Tests.Data;
using MlNetVision.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace MlNetVision.Tests.Interpretation;

/// <summary>
/// The heat map finds what decides the class: a learner trained on images whose class is only the colour of a patch at a
/// random position peaks on the patch for most validation images; the same network with random weights rarely does.
/// </summary>
public sealed class GradCamLocalizationTests(ITestOutputHelper output) : IDisposable
{
    private const int Size = 128, Patch = 28, Margin = 8;
    private readonly string _root = ImageFiles.NewFolder("gradcam");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(1, 3)]
    [InlineData(11, 5)]
    public void Should_PeakOnTheDecisivePatch_When_ModelLearnedIt(int dataSeed, int seed)
    {
        PatchImages.Write(Path.Combine(_root, "train"), perClass: 40, Size, Patch, seed: dataSeed);
        var valid = PatchImages.Write(Path.Combine(_root, "valid"), perClass: 25, Size, Patch, seed: dataSeed + 1).ToDictionary(i => Path.GetFullPath(i.Path));
        using var data = ImageDataBunch.FromFolder(_root, new ImageDataBunchOptions { Size = Size, BatchSize = 16, Transforms = TransformOptions.None(), Log = TextWriter.Null });
        using var learn = VisionLearner.Create(data, Architectures.ResNet18MlNet, new LearnerOptions { ProgressWriter = null, Seed = seed });
        var clock = Stopwatch.StartNew();
        learn.FitOneCycle(3, 1e-2);
        var fit = clock.Elapsed;

        var interp = ClassificationInterpretation.FromLearner(learn);
        var patches = data.Valid.Items.Select(i => valid[Path.GetFullPath(i.Path)].Patch).ToArray();
        var all = Enumerable.Range(0, interp.Count).ToArray();
        clock.Restart();
        var trained = interp.HeatMaps(all, HeatMapTarget.Actual);
        var cam = clock.Elapsed;
        double trainedShare = all.Count(i => PatchImages.PeakInside(trained[i], patches[i], Margin)) / (double)all.Length;

        torch.manual_seed(seed);
        using var random = VisionModel.Create(Architectures.ResNet18MlNet, data.C, pretrained: false);
        var randomMaps = ItemHeatMaps.FromModel(random, data.Valid.Count, data.Valid.LoadItem).Compute(all, interp.Targets);
        double trainedShareNoMargin = all.Count(i => PatchImages.PeakInside(trained[i], patches[i], 0)) / (double)all.Length;
        double randomShare = all.Count(i => PatchImages.PeakInside(randomMaps[i], patches[i], Margin)) / (double)all.Length;
        output.WriteLine($"fit {fit.TotalSeconds:0.0}s, {all.Length} heat maps {cam.TotalSeconds:0.0}s; accuracy {interp.Accuracy():0.000}; " +
            $"peak on patch: trained {trainedShare:0.000}, random weights {randomShare:0.000} ({randomMaps.Count(m => m.IsFlat)} flat); without margin: trained {trainedShareNoMargin:0.000}; feature map {trained[0].FeatureHeight}x{trained[0].FeatureWidth}");

        Assert.True(interp.Accuracy() >= 0.9, $"accuracy {interp.Accuracy():0.000}");
        Assert.True(trainedShare >= 0.8, $"trained share {trainedShare:0.000}");
        Assert.True(randomShare <= 0.3, $"random share {randomShare:0.000}");
        Assert.True(trainedShare - randomShare >= 0.5, $"trained {trainedShare:0.000} vs random {randomShare:0.000}");

        // The same maps reach the pictures: the report's top-loss section and the fastai-style call.
        var html = HtmlReport.Render(TrainingReport.FromLearner(learn, interpretation: interp));
        Assert.Contains("alt=\"Top losses, heat maps\"", html);
        var grid = interp.PlotTopLosses(4, Path.Combine(_root, "top.png"), heatmap: true);
        using var bitmap = SkiaSharp.SKBitmap.Decode(grid);
        Assert.Equal((2 * 224 + 3 * 12, 36 + 2 * (44 + 224) + 3 * 12), (bitmap.Width, bitmap.Height));
    }
}
