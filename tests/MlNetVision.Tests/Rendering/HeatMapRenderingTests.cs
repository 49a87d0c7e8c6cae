using MlNetVision.Interpretation;
using MlNetVision.Models;
using MlNetVision.Rendering;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Rendering;

/// <summary>The heat-map pictures: fastai's blend, the top-losses grid with heat maps, the single-image view, and their defaults.</summary>
public sealed class HeatMapRenderingTests
{
    private static readonly string[] Classes = ["cat", "dog", "fox"];

    /// <summary>A 16×8 map rising left to right (0 at column 0, 1 at column 7) over a gradient image.</summary>
    private static HeatMap Ramp()
    {
        const int h = 16, w = 8;
        var values = new float[h * w];
        var image = new byte[h * w * 3];
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
            {
                values[r * w + c] = c / 7f;
                image[(r * w + c) * 3] = (byte)(r * 15);
                image[(r * w + c) * 3 + 1] = 200;
                image[(r * w + c) * 3 + 2] = (byte)(c * 30);
            }
        return new HeatMap(new HeatMapGeometry(h, w, FeatureHeight: 4, FeatureWidth: 2), values, image, classIndex: 1, probabilities: [0.2f, 0.7f, 0.1f]);
    }

    [Fact]
    public void Should_BlendMagmaOverTheImageAtSixtyPercent_When_RenderingAnOverlay()
    {
        var map = Ramp();
        using var blended = SKBitmap.Decode(HeatMapOverlay.Render(map));
        using var mapOnly = SKBitmap.Decode(HeatMapOverlay.Render(map, alpha: 1));
        using var imageOnly = SKBitmap.Decode(HeatMapOverlay.Render(map, alpha: 0));

        Assert.Equal((8, 16), (blended.Width, blended.Height));
        Assert.Equal(new SKColor(0x00, 0x00, 0x04), mapOnly.GetPixel(0, 3));   // magma(0)
        Assert.Equal(new SKColor(0xFC, 0xFD, 0xBF), mapOnly.GetPixel(7, 3));   // magma(1)
        Assert.Equal(new SKColor(5 * 15, 200, 4 * 30), imageOnly.GetPixel(4, 5));
        for (int c = 0; c < 8; c++)
        {
            SKColor m = mapOnly.GetPixel(c, 9), i = imageOnly.GetPixel(c, 9), b = blended.GetPixel(c, 9);
            Assert.Equal(Math.Round(0.4 * i.Red + 0.6 * m.Red), b.Red, 1.0);
            Assert.Equal(Math.Round(0.4 * i.Green + 0.6 * m.Green), b.Green, 1.0);
            Assert.Equal(Math.Round(0.4 * i.Blue + 0.6 * m.Blue), b.Blue, 1.0);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => HeatMapOverlay.Render(map, alpha: 1.5f));
    }

    [Fact]
    public void Should_ShowImageOverlayAndTitles_When_RenderingTheSingleImageView()
    {
        var map = Ramp();
        var options = new HeatMapPlotOptions { ImageSize = 64 };
        using var both = SKBitmap.Decode(HeatMapPlot.Render(map, Classes, options));
        using var single = SKBitmap.Decode(HeatMapPlot.Render(map, Classes, new HeatMapPlotOptions { ImageSize = 64, ShowImage = false }));

        Assert.Equal((2 * 64 + 3 * 12, 44 + 64 + 3 * 12 + HeatMapPlot.BarHeight), (both.Width, both.Height));
        Assert.Equal((64 + 2 * 12, both.Height), (single.Width, single.Height));
        // Left panel: the image (its green channel is 200 everywhere); right panel: the overlay, brightest on the right.
        int y = 12 + 44 + 32;
        Assert.InRange(both.GetPixel(12 + 32, y).Green, (byte)194, (byte)206);
        var right = 12 + 64 + 12;   // the 8×16 map is fitted as 32×64, centred: columns 16..47 of the panel
        Assert.True(both.GetPixel(right + 45, y).Red > both.GetPixel(right + 18, y).Red + 100, "the overlay's bright side is where the map is 1");
        Assert.Contains(Enumerable.Range(0, both.Width), x => both.GetPixel(x, 12 + 12) != SKColors.White);   // the title line has ink
        Assert.Throws<ArgumentException>(() => HeatMapPlot.Render(map, ["one", "two"]));
    }

    [Fact]
    public void Should_DrawEachTopLossUnderItsHeatMap_When_HeatMapIsAsked()
    {
        MlNetVision.Native.NativeBackend.EnsureLoaded();
        manual_seed(4);
        using var model = VisionModel.Create(Architectures.ResNet18, 3, pretrained: false);
        using var inputs = rand([4, 3, 64, 64], generator: new Generator(5)).DetachFromDisposeScope();
        var probs = new float[][] { [0.1f, 0.8f, 0.1f], [0.6f, 0.3f, 0.1f], [0.2f, 0.2f, 0.6f], [0.9f, 0.05f, 0.05f] };
        var items = ItemImageSource.FromDelegate(4, i => { using var b = new SKBitmap(64, 64); return b.Encode(SKEncodedImageFormat.Png, 100).ToArray(); });
        var plain = ClassificationInterpretation.FromPredictions(Classes, probs, [0, 0, 2, 1], items: items);
        var interp = plain.WithHeatMaps(ItemHeatMaps.FromModel(model, 4, i => inputs[i].alias()));
        var options = new TopLossesPlotOptions { ImageSize = 64 };

        Assert.False(plain.HasHeatMaps);
        Assert.True(interp.HasHeatMaps);
        var maps = interp.HeatMaps([3, 0], HeatMapTarget.Actual);
        Assert.Equal(new[] { 1, 0 }, maps.Select(m => m.ClassIndex));
        Assert.Equal(interp.Predicted[2], interp.HeatMap(2).ClassIndex);

        using var without = SKBitmap.Decode(TopLossesPlot.Render(interp, 4, options));
        using var with = SKBitmap.Decode(TopLossesPlot.Render(interp, 4, options.WithHeatMap()));
        Assert.Equal((without.Width, without.Height), (with.Width, with.Height));
        // The first cell is the largest loss (item 3, actual class 1): exactly its overlay, scaled 1:1 at 64 px.
        var top = interp.TopLosses(1)[0];
        Assert.Equal(3, top.Index);
        using var expected = SKBitmap.Decode(HeatMapOverlay.Render(interp.HeatMap(3, HeatMapTarget.Actual)));
        int left = options.Gap, cellTop = options.Gap + options.HeaderHeight + options.TitleHeight;
        var differences = 0;
        for (int y = 4; y < 60; y += 7)
            for (int x = 4; x < 60; x += 7)
            {
                SKColor a = with.GetPixel(left + x, cellTop + y), b = expected.GetPixel(x, y);
                if (Math.Abs(a.Red - b.Red) > 3 || Math.Abs(a.Green - b.Green) > 3 || Math.Abs(a.Blue - b.Blue) > 3) differences++;
            }
        Assert.Equal(0, differences);
        Assert.NotEqual(without.GetPixel(left + 30, cellTop + 30), with.GetPixel(left + 30, cellTop + 30));

        // Heat maps need a model; with one they need no item images.
        var error = Assert.Throws<InvalidOperationException>(() => TopLossesPlot.Render(plain, 4, options.WithHeatMap()));
        Assert.Contains("no model to compute heat maps", error.Message);
        var noImages = ClassificationInterpretation.FromPredictions(Classes, probs, [0, 0, 2, 1]).WithHeatMaps(ItemHeatMaps.FromModel(model, 4, i => inputs[i].alias()));
        Assert.NotNull(SKBitmap.Decode(TopLossesPlot.Render(noImages, 2, options.WithHeatMap())));
        Assert.Throws<ArgumentException>(() => plain.WithHeatMaps(ItemHeatMaps.FromModel(model, 3, i => inputs[i].alias())));
    }

    [Fact]
    public void Should_HaveDocumentedDefaults_When_OptionsAreNew()
    {
        var plot = new HeatMapPlotOptions();
        Assert.Equal((224, 44, 12, 15f, 0.6f, true), (plot.ImageSize, plot.TitleHeight, plot.Gap, plot.FontSize, plot.Alpha, plot.ShowImage));
        Assert.Equal((HeatMapPlotOptions.DefaultImageSize, HeatMapPlotOptions.DefaultTitleHeight, HeatMapPlotOptions.DefaultGap,
            HeatMapPlotOptions.DefaultFontSize, HeatMapOverlay.DefaultAlpha, HeatMapPlotOptions.DefaultShowImage),
            (plot.ImageSize, plot.TitleHeight, plot.Gap, plot.FontSize, plot.Alpha, plot.ShowImage));
        var top = new TopLossesPlotOptions();
        Assert.Equal((false, HeatMapTarget.Actual, 0.6f), (top.HeatMap, top.HeatMapTarget, top.HeatMapAlpha));
        Assert.True(new HtmlReportOptions().TopLossesHeatMaps);
        Assert.Equal(16, ItemHeatMaps.BatchSize);
        Assert.Equal(0.99f, HeatMap.PeakShare);
    }
}
