using MlNetVision.Interpretation;
using MlNetVision.Rendering;
using MlNetVision.Tests.Interpretation;
using SkiaSharp;

namespace MlNetVision.Tests.Rendering;

public sealed class PlotTests : IDisposable
{
    private readonly TempFolder _folder = new("interp-plot");

    public void Dispose()
    {
        _folder.Dispose();
    }

    /// <summary>Item i is a 40×30 image filled with a colour that encodes i, so the grid can be checked cell by cell.</summary>
    private static SKColor ItemColor(int i) => new((byte)(20 + 25 * i), (byte)(230 - 25 * i), 90);

    private static byte[] SolidItem(int i)
    {
        using var bitmap = new SKBitmap(40, 30, SKColorType.Rgba8888, SKAlphaType.Premul);
        bitmap.Erase(ItemColor(i));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static int CountPixels(SKBitmap bitmap, SKRectI area, Func<SKColor, bool> predicate)
    {
        int n = 0;
        for (int y = area.Top; y < area.Bottom; y++)
            for (int x = area.Left; x < area.Right; x++)
                if (predicate(bitmap.GetPixel(x, y))) n++;
        return n;
    }

    [Fact]
    public void Should_DrawTopLossImagesInLossOrder_When_PlottingFiveItems()
    {
        var interp = HandCountedCase.Create(ItemImageSource.FromDelegate(8, SolidItem));
        var png = TopLossesPlot.Render(interp, 5);
        using var bitmap = SKBitmap.Decode(png);

        // 5 items → 3 columns, 2 rows: width 3·224 + 4·12, height 36 + 2·(44 + 224) + 3·12.
        Assert.Equal(720, bitmap.Width);
        Assert.Equal(608, bitmap.Height);
        var top = interp.TopLosses(5);
        for (int i = 0; i < 5; i++)
        {
            int left = 12 + (i % 3) * 236, topY = 12 + 36 + (i / 3) * (44 + 224 + 12);
            Assert.Equal(ItemColor(top[i].Index), bitmap.GetPixel(left + 112, topY + 44 + 112));
            // The 40×30 image is scaled to 224×168 and centred: the box's top edge stays white.
            Assert.Equal(SKColors.White, bitmap.GetPixel(left + 112, topY + 44 + 10));
            // The title lines are drawn in red (wrong prediction) or green.
            int coloured = CountPixels(bitmap, new SKRectI(left, topY, left + 224, topY + 44), c => Math.Max(c.Red, Math.Max(c.Green, c.Blue)) - Math.Min(c.Red, Math.Min(c.Green, c.Blue)) > 40);
            Assert.True(coloured > 30, $"expected the title of cell {i} to be drawn, found {coloured} coloured pixels");
        }
        // Cell 6 of the 3×2 grid is empty.
        Assert.Equal(SKColors.White, bitmap.GetPixel(12 + 2 * 236 + 112, 12 + 36 + 280 + 44 + 112));
    }

    [Fact]
    public void Should_WriteDecodablePng_When_ItemsAreImageFiles()
    {
        var files = ShapeImages.Write(_folder, perClass: 3);
        var probabilities = files.Select(f => f.Label switch { 0 => new[] { 0.2f, 0.7f, 0.1f }, 1 => [0.1f, 0.8f, 0.1f], _ => new[] { 0.3f, 0.3f, 0.4f } }).ToArray();
        var interp = ClassificationInterpretation.FromPredictions(ShapeImages.Classes, probabilities, files.Select(f => f.Label).ToArray(),
            items: ItemImageSource.FromPaths(files.Select(f => f.Path).ToList()));
        var path = interp.PlotTopLosses(4, Path.Combine(_folder, "out", "top.png"), new TopLossesPlotOptions { Columns = 4, ImageSize = 64 });

        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(4 * 64 + 5 * 12, bitmap.Width);
        Assert.Equal(36 + 44 + 64 + 2 * 12, bitmap.Height);
        // The three circles predicted as squares come first (loss −ln 0.2): their centre is the bright shape, not the dark background.
        var centre = bitmap.GetPixel(12 + 32, 12 + 36 + 44 + 32);
        Assert.True(centre.Red >= 150 && centre.Green >= 150 && centre.Blue >= 150, $"expected a bright shape at the centre, got {centre}");
    }

    [Fact]
    public void Should_Throw_When_InterpretationHasNoImages()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => TopLossesPlot.Render(HandCountedCase.Create(), 3));
        Assert.Contains("ItemImageSource", ex.Message);
    }

    [Fact]
    public void Should_ShadeCellsByCount_When_PlottingConfusionMatrix()
    {
        var path = HandCountedCase.Create(classes: HandCountedCase.LongClasses).PlotConfusionMatrix(Path.Combine(_folder, "cm.png"));
        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(2 * 44 + 140 + 3 * 56, bitmap.Width);
        Assert.Equal(bitmap.Width, bitmap.Height);

        SKColor Cell(int actual, int predicted) => bitmap.GetPixel(44 + 140 + predicted * 56 + 4, 44 + actual * 56 + 4);
        Assert.Equal(new SKColor(0x08, 0x30, 0x6B), Cell(0, 1)); // 2, the largest count: darkest blue
        Assert.Equal(new SKColor(0xF7, 0xFB, 0xFF), Cell(0, 2)); // 0: lightest
        Assert.Equal(Cell(0, 0), Cell(2, 2));                    // both 1
        Assert.Equal(ConfusionMatrixPlot.ColorAt(0.5), Cell(1, 0));

        // Counts are written in the cells: white text on the dark cell, black on the light one.
        var dark = new SKRectI(44 + 140 + 56 + 8, 44 + 8, 44 + 140 + 2 * 56 - 8, 44 + 56 - 8);
        Assert.True(CountPixels(bitmap, dark, c => c.Red > 200 && c.Blue > 200) > 10);
        var light = new SKRectI(44 + 140 + 2 * 56 + 8, 44 + 8, 44 + 140 + 3 * 56 - 8, 44 + 56 - 8);
        Assert.True(CountPixels(bitmap, light, c => c.Red < 80) > 10);
        // Class names are drawn left of the rows and below the columns.
        Assert.True(CountPixels(bitmap, new SKRectI(44, 44, 44 + 140, 44 + 3 * 56), c => c.Red < 80) > 50);
        Assert.True(CountPixels(bitmap, new SKRectI(44 + 140, 44 + 3 * 56, 44 + 140 + 3 * 56, 44 + 3 * 56 + 140), c => c.Red < 80) > 50);
    }

    [Fact]
    public void Should_ShadeByRowShare_When_Normalized()
    {
        var png = ConfusionMatrixPlot.Render(HandCountedCase.Create(classes: HandCountedCase.LongClasses), new ConfusionMatrixPlotOptions { Normalize = true, CellSize = 40 });
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(2 * 44 + 140 + 3 * 40, bitmap.Width);
        SKColor Cell(int actual, int predicted) => bitmap.GetPixel(44 + 140 + predicted * 40 + 3, 44 + actual * 40 + 3);
        // Shares: rows cat and dog are 1/3, 2/3, 0; bird is 0, 1/2, 1/2. The largest share (2/3) is darkest.
        Assert.Equal(Cell(0, 1), Cell(1, 1));
        Assert.Equal(new SKColor(0x08, 0x30, 0x6B), Cell(0, 1));
        Assert.Equal(ConfusionMatrixPlot.ColorAt(0.75), Cell(2, 1));
        Assert.Equal(Cell(2, 1), Cell(2, 2));
    }

    [Fact]
    public void Should_ShrinkLabelRoom_When_ClassNamesAreShort()
    {
        var png = ConfusionMatrixPlot.Render(HandCountedCase.Create());
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(bitmap.Width, bitmap.Height);
        Assert.InRange(bitmap.Width, 2 * 44 + 3 * 56 + 20, 2 * 44 + 3 * 56 + 60); // "bird" at 14 px is about 30 px wide
    }

    [Fact]
    public void Should_ShrinkCells_When_ThereAreManyClasses()
    {
        // 37 classes (the pets of lesson 1), item i of class i % 37 predicted as (i + i / 37) % 37.
        var classes = Enumerable.Range(0, 37).Select(k => $"breed_{k:D2}_with_a_long_name").ToArray();
        int n = 37 * 4;
        var probabilities = new float[n, 37];
        var targets = new int[n];
        for (int i = 0; i < n; i++)
        {
            targets[i] = i % 37;
            probabilities[i, (i + i / 37) % 37] = 0.9f;
            probabilities[i, (i + i / 37 + 1) % 37] = 0.1f;
        }
        var interp = ClassificationInterpretation.FromPredictions(classes, probabilities, targets);
        Assert.Equal(1, interp.ConfusionMatrix()[5, 7]); // item 79 = 37·2 + 5: class 5 predicted as 7
        using var bitmap = SKBitmap.Decode(ConfusionMatrixPlot.Render(interp));
        int cell = 1400 / 37; // 37 px
        Assert.Equal(2 * 44 + 140 + 37 * cell, bitmap.Width);
        Assert.Equal(new SKColor(0xF7, 0xFB, 0xFF), bitmap.GetPixel(44 + 140 + 20 * cell + 2, 44 + 2)); // cell [0, 20]: 0
    }

    [Fact]
    public void Should_HaveDocumentedDefaults_When_OptionsAreNew()
    {
        var t = new TopLossesPlotOptions();
        Assert.True(t.Largest);
        Assert.Null(t.Columns);
        Assert.Equal(224, t.ImageSize);
        Assert.Equal(44, t.TitleHeight);
        Assert.Equal(36, t.HeaderHeight);
        Assert.Equal(12, t.Gap);
        Assert.Equal(15f, t.FontSize);
        Assert.Equal((224, 44, 36, 12, 15f), (TopLossesPlotOptions.DefaultImageSize, TopLossesPlotOptions.DefaultTitleHeight,
            TopLossesPlotOptions.DefaultHeaderHeight, TopLossesPlotOptions.DefaultGap, TopLossesPlotOptions.DefaultFontSize));

        var c = new ConfusionMatrixPlotOptions();
        Assert.False(c.Normalize);
        Assert.Equal("Confusion matrix", c.Title);
        Assert.Equal(2, c.Decimals);
        Assert.Equal(56, c.CellSize);
        Assert.Equal(1400, c.MaxGridSize);
        Assert.Equal(140, c.LabelAreaSize);
        Assert.Equal(44, c.Margin);
        Assert.Equal(14f, c.FontSize);
        Assert.Equal(("Confusion matrix", 2, 56, 1400, 140, 44, 14f), (ConfusionMatrixPlotOptions.DefaultTitle, ConfusionMatrixPlotOptions.DefaultDecimals,
            ConfusionMatrixPlotOptions.DefaultCellSize, ConfusionMatrixPlotOptions.DefaultMaxGridSize, ConfusionMatrixPlotOptions.DefaultLabelAreaSize,
            ConfusionMatrixPlotOptions.DefaultMargin, ConfusionMatrixPlotOptions.DefaultFontSize));
    }
}
