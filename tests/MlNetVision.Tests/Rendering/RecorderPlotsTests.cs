using MlNetVision.Rendering;
using MlNetVision.Training;
using SkiaSharp;

namespace MlNetVision.Tests.Rendering;

public sealed class RecorderPlotsTests
{
    /// <summary>A finder curve with its minimum at 1e-3: loss = (log10 lr + 3)² + 1 over 1e-6 .. 1.</summary>
    private static LrFindResult Bowl()
    {
        var rates = Enumerable.Range(0, 61).Select(i => Math.Pow(10, -6 + i / 10.0)).ToArray();
        return new LrFindResult(rates, rates.Select(lr => Math.Pow(Math.Log10(lr) + 3, 2) + 1).ToArray());
    }

    [Fact]
    public void Should_SaveExactlyTheRenderedBytes_When_PlottingToAFile()
    {
        using var dir = new TempFolder("recorder-plots");
        var result = Bowl();

        var png = RecorderPlots.RenderLrFind(result, 640, 360);
        var path = RecorderPlots.LrFind(result, dir.File("plots", "lr_find.png"), 640, 360);

        Assert.Equal(png, File.ReadAllBytes(path));
        Assert.Equal(["lr_find.png"], Directory.GetFiles(dir.File("plots")).Select(Path.GetFileName));
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((640, 360), (bitmap.Width, bitmap.Height));
        // The suggestions are drawn as coloured markers: red for the valley.
        var red = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
                if (bitmap.GetPixel(x, y) is { Red: > 200, Green: < 60, Blue: < 60 }) red++;
        Assert.True(red > 10, $"no valley marker drawn ({red} red pixels)");
    }
}
