using MlNetVision.Interpretation;
using MlNetVision.Models;
using MlNetVision.Rendering;
using MlNetVision.Tests.Interpretation;
using MlNetVision.Tests.Training;
using MlNetVision.Training;
using SkiaSharp;

namespace MlNetVision.Tests.Rendering;

/// <summary>fastai's <c>show_results</c>: the data (first items, actual and predicted) and the PNG grid drawn from it.</summary>
public sealed class ResultsPlotTests
{
    private static readonly ResultsPlotOptions Small = new() { ImageSize = 64, TitleHeight = 40, Gap = 8, FontSize = 13 };

    /// <summary>Item <c>i</c> is a solid square of its own colour.</summary>
    private static SKColor ColourOf(int i) => new((byte)(40 * i), (byte)(200 - 30 * i), 230);

    private static ItemImageSource SolidSquares(int count) => ItemImageSource.FromDelegate(count, i =>
    {
        using var bitmap = new SKBitmap(20, 20);
        bitmap.Erase(ColourOf(i));
        return bitmap.Encode(SKEncodedImageFormat.Png, 100).ToArray();
    });

    private static (int Dark, int Green, int Red) CountInk(SKBitmap png, int left, int top, int width, int height)
    {
        int dark = 0, green = 0, red = 0;
        for (int y = top; y < top + height; y++)
            for (int x = left; x < left + width; x++)
            {
                var p = png.GetPixel(x, y);
                if (p.Red < 100 && p.Green < 100 && p.Blue < 100) dark++;
                if (p.Green > p.Red + 50 && p.Green > p.Blue + 20) green++;
                if (p.Red > p.Green + 50 && p.Red > p.Blue + 50) red++;
            }
        return (dark, green, red);
    }

    private static bool Near(SKColor a, SKColor b, int tolerance = 3) =>
        Math.Abs(a.Red - b.Red) <= tolerance && Math.Abs(a.Green - b.Green) <= tolerance && Math.Abs(a.Blue - b.Blue) <= tolerance;

    [Fact]
    public void Should_ListFirstItemsWithActualAndPredicted_When_ResultsAreAsked()
    {
        var results = HandCountedCase.Create().Results(5);
        Assert.Equal([0, 1, 2, 3, 4], results.Select(r => r.Index));
        Assert.Equal(["cat", "cat", "cat", "dog", "dog"], results.Select(r => r.ActualClass));
        Assert.Equal(["cat", "dog", "dog", "dog", "dog"], results.Select(r => r.PredictedClass));
        Assert.Equal([0.7f, 0.6f, 0.5f, 0.8f, 0.5f], results.Select(r => r.Probability));
        Assert.Equal([true, false, false, true, true], results.Select(r => r.IsCorrect));
        Assert.Equal(8, HandCountedCase.Create().Results(100).Count);
        Assert.Equal(ClassificationInterpretation.DefaultResultsCount, 9);
        Assert.Throws<ArgumentOutOfRangeException>(() => HandCountedCase.Create().Results(0));
    }

    [Fact]
    public void Should_DrawOneTitledCellPerResult_When_RenderingFiveResults()
    {
        var interpretation = HandCountedCase.Create(SolidSquares(8));
        var png = ResultsPlot.Render(interpretation, maxN: 5, Small);
        using var bitmap = SKBitmap.Decode(png);
        // 5 results: ⌈√5⌉ = 3 columns, 2 rows.
        Assert.Equal(3 * 64 + 4 * 8, bitmap.Width);
        Assert.Equal(2 * (40 + 64) + 3 * 8, bitmap.Height);

        var correct = new[] { true, false, false, true, true };
        for (int slot = 0; slot < 6; slot++)
        {
            int left = 8 + slot % 3 * 72, top = 8 + slot / 3 * 112;
            var centre = bitmap.GetPixel(left + 32, top + 40 + 32);
            var (actualInk, _, _) = CountInk(bitmap, left, top, 64, 20);
            var (_, green, red) = CountInk(bitmap, left, top + 20, 64, 20);
            if (slot == 5)
            {
                // No sixth result: the slot stays empty.
                Assert.True(Near(centre, SKColors.White), $"slot 5 should be empty, found {centre}");
                Assert.Equal(0, actualInk + green + red);
                continue;
            }
            Assert.True(Near(centre, ColourOf(slot)), $"cell {slot} should show item {slot}'s picture, found {centre}");
            Assert.True(actualInk > 15, $"cell {slot}: the actual class line is empty ({actualInk} dark pixels)");
            if (correct[slot]) Assert.True(green > 15 && red == 0, $"cell {slot} is right: green {green}, red {red}");
            else Assert.True(red > 15 && green == 0, $"cell {slot} is wrong: green {green}, red {red}");
        }
    }

    [Fact]
    public void Should_UseFastAiLayoutDefaults_When_OptionsAreNew()
    {
        var o = new ResultsPlotOptions();
        Assert.Null(o.Columns);
        Assert.Equal(ResultsPlotOptions.DefaultImageSize, o.ImageSize);
        Assert.Equal(192, o.ImageSize);
        Assert.Equal(44, o.TitleHeight);
        Assert.Equal(12, o.Gap);
        Assert.Equal(15f, o.FontSize);
    }

    [Fact]
    public void Should_RefuseToDraw_When_InterpretationHasNoImages()
    {
        Assert.Throws<InvalidOperationException>(() => ResultsPlot.Render(HandCountedCase.Create()));
        Assert.Throws<ArgumentException>(() => ResultsPlot.Render([], SolidSquares(1)));
    }

    [Fact]
    public void Should_SaveGridOfValidationImages_When_LearnerShowsResults()
    {
        using var sample = new FashionSample();
        var path = sample.Subset(2, 2, ["bag", "sandal", "trouser"]);
        using var data = FashionSample.Bunch(path, size: 32, batchSize: 4);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });

        var shown = learn.ValidationResults(4);
        var preds = learn.GetPreds();
        Assert.Equal(4, shown.Count);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(preds.Targets[i], shown.Targets[i]);
            for (int c = 0; c < 3; c++) Assert.Equal(preds.Probabilities[i][c], shown.Probability(i, c), 5);
            Assert.Equal(data.Valid.Items[i].Path, shown.Items!.Path(i));
        }

        var written = learn.ShowResults(Path.Combine(path, "results.png"), maxN: 4, Small);
        Assert.Equal(Path.Combine(path, "results.png"), written);
        using var bitmap = SKBitmap.Decode(File.ReadAllBytes(written));
        Assert.Equal(2 * 64 + 3 * 8, bitmap.Width);
        Assert.Equal(2 * (40 + 64) + 3 * 8, bitmap.Height);
        var results = shown.Results(4);
        for (int i = 0; i < 4; i++)
        {
            int left = 8 + i % 2 * 72, top = 8 + i / 2 * 112;
            // Fashion-MNIST pictures are light garments on black: the image box must hold the dark background.
            var (dark, _, _) = CountInk(bitmap, left, top + 40, 64, 64);
            Assert.True(dark > 500, $"cell {i} shows no picture ({dark} dark pixels)");
            var (_, green, red) = CountInk(bitmap, left, top + 20, 64, 20);
            Assert.True(results[i].IsCorrect ? green > 15 && red == 0 : red > 15 && green == 0, $"cell {i}: green {green}, red {red}");
        }
    }
}
