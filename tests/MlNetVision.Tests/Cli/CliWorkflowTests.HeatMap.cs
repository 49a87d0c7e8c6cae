using MlNetVision.Rendering;
using SkiaSharp;

namespace MlNetVision.Tests.Cli;

public partial class CliWorkflowTests
{
    [Fact]
    public void Should_ShowTopLossesUnderHeatMapsInTheReport_When_TrainFinishes()
    {
        Assert.True(trained.Train.ExitCode == 0, trained.Train.ToString());
        var html = File.ReadAllText(Path.Combine(trained.ModelDir, "report.html"));
        var section = html[html.IndexOf("<section id=\"top-losses\">", StringComparison.Ordinal)..];
        Assert.Contains("alt=\"Top losses\"", section);
        Assert.Contains("alt=\"Top losses, heat maps\"", section);
    }

    [Fact]
    public async Task Should_WriteOneHeatMapPerImage_When_PredictGetsHeatmapAndTheCheckpointIsNextToTheModel()
    {
        using var temp = new TempFolder("predict-heatmap");
        var folder = temp.Path;
        CliSample.CopyClasses(Path.Combine(folder, "in"), "valid", ["trouser", "bag"], 2);
        var images = Directory.GetFiles(Path.Combine(folder, "in"), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var outDir = Path.Combine(folder, "maps");

        var r = await CliProcess.RunAsync(trained.Root, Limit, "predict", trained.ModelZip, Path.Combine(folder, "in"), "--heatmap", outDir);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"Wrote 4 heat map(s) to {outDir}", r.StdErr);
        Assert.Contains("warning: At 32 px the body's last feature map is 1x1", r.StdErr);
        var written = Directory.GetFiles(outDir, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(images.Select(i => Path.Combine(outDir, Path.GetRelativePath(Path.Combine(folder, "in"), i) + ".png")), written);
        var options = new HeatMapPlotOptions();
        foreach (var png in written)
        {
            using var bitmap = SKBitmap.Decode(png);
            Assert.Equal((2 * options.ImageSize + 3 * options.Gap, options.TitleHeight + options.ImageSize + 3 * options.Gap + HeatMapPlot.BarHeight),
                (bitmap.Width, bitmap.Height));
            // The right panel is the left one under the colour map: same place, other colours.
            int y = options.Gap + options.TitleHeight + options.ImageSize / 2, x = options.Gap + options.ImageSize / 2;
            Assert.NotEqual(bitmap.GetPixel(x, y), bitmap.GetPixel(x + options.ImageSize + options.Gap, y));
        }

        // The model.zip alone has no checkpoint next to it: a clear error, exit 3, nothing written.
        var alone = Path.Combine(folder, "alone");
        Directory.CreateDirectory(alone);
        File.Copy(trained.ModelZip, Path.Combine(alone, "model.zip"));
        var missing = await CliProcess.RunAsync(trained.Root, Limit, "predict", Path.Combine(alone, "model.zip"), images[0], "--heatmap", Path.Combine(folder, "none"));
        Assert.True(missing.ExitCode == 3, missing.ToString());
        Assert.Contains("--heatmap needs the TorchSharp checkpoint that 'mlnet-vision train' writes next to model.zip", missing.StdErr);
        Assert.Contains(Path.Combine(alone, "model.ckpt"), missing.StdErr);
        Assert.False(Directory.Exists(Path.Combine(folder, "none")));
    }
}
