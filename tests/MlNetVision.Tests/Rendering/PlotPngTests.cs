using MlNetVision.Rendering;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Series;
using SkiaSharp;

namespace MlNetVision.Tests.Rendering;

public class PlotPngTests
{
    [Fact]
    public void Should_DrawAxisLabels_When_NoSystemFontIsUsed()
    {
        var withText = new PlotModel { Title = "Loss" };
        withText.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "batches" });
        withText.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "loss" });
        var series = new LineSeries();
        for (int i = 0; i < 20; i++) series.Points.Add(new DataPoint(i, Math.Exp(-i / 5.0)));
        withText.Series.Add(series);

        var png = PlotPng.Render(withText, 400, 300);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(400, bitmap.Width);
        Assert.Equal(300, bitmap.Height);

        // The title strip above the plot area holds only text: it must contain dark pixels.
        using var titleStrip = new SKBitmap(400, 24);
        Assert.True(bitmap.ExtractSubset(titleStrip, new SKRectI(0, 0, 400, 24)));
        int dark = 0;
        for (int y = 0; y < titleStrip.Height; y++)
            for (int x = 0; x < titleStrip.Width; x++)
                if (titleStrip.GetPixel(x, y).Red < 128) dark++;
        Assert.True(dark > 20, $"expected the title's glyphs to be drawn, found {dark} dark pixels");
    }

    [Fact]
    public void Should_LoadBothEmbeddedTypefaces_When_Asked()
    {
        Assert.Equal("DejaVu Sans", EmbeddedFonts.Sans.FamilyName);
        Assert.True(EmbeddedFonts.SansBold.IsBold);
    }
}
