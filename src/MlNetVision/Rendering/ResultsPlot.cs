using MlNetVision.IO;
using MlNetVision.Interpretation;
using SkiaSharp;

namespace MlNetVision.Rendering;

/// <summary>
/// Draws items with their actual and predicted classes as a PNG grid (fastai v2's <c>show_results</c>): each image is
/// titled with the actual class on the first line and the predicted class on the second, green when right and red
/// when wrong.
/// </summary>
/// <remarks>
/// The picture is <c>columns × ImageSize + (columns + 1) × Gap</c> pixels wide and
/// <c>rows × (TitleHeight + ImageSize) + (rows + 1) × Gap</c> high, with <c>columns = min(n, Columns ?? ⌈√n⌉)</c> and
/// <c>rows = ⌈n / columns⌉</c>.
/// </remarks>
public static class ResultsPlot
{
    /// <summary>The colour of a right prediction's line (fastai's <c>green</c>, darkened for contrast on white).</summary>
    public static readonly SKColor Right = new(0x2E, 0x7D, 0x32);

    /// <summary>The colour of a wrong prediction's line.</summary>
    public static readonly SKColor Wrong = new(0xC6, 0x28, 0x28);

    /// <summary>Renders <paramref name="results"/> with the pictures from <paramref name="images"/> and returns the PNG bytes.</summary>
    /// <param name="results">The items to show, in grid order (from <see cref="ClassificationInterpretation.Results"/>).</param>
    /// <param name="images">Where each result's picture comes from, by <see cref="ShownResult.Index"/>.</param>
    /// <param name="options">Layout; null for the defaults.</param>
    /// <exception cref="ArgumentException">There are no results.</exception>
    public static byte[] Render(IReadOnlyList<ShownResult> results, ItemImageSource images, ResultsPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(images);
        if (results.Count == 0) throw new ArgumentException("There are no results to show.", nameof(results));
        options ??= new ResultsPlotOptions();
        int n = results.Count;
        int columns = Math.Clamp(options.Columns ?? (int)Math.Ceiling(Math.Sqrt(n)), 1, n);
        int rows = (n + columns - 1) / columns;
        int gap = options.Gap, size = options.ImageSize, titleHeight = options.TitleHeight;
        int width = columns * size + (columns + 1) * gap;
        int height = rows * (titleHeight + size) + (rows + 1) * gap;

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var imagePaint = new SKPaint { FilterQuality = SKFilterQuality.High, IsAntialias = true };
        for (int i = 0; i < n; i++)
        {
            var r = results[i];
            float left = gap + i % columns * (size + gap);
            float top = gap + i / columns * (titleHeight + size + gap);
            using (var actual = CanvasText.Paint(options.FontSize, SKColors.Black))
                CanvasText.DrawMiddle(canvas, CanvasText.Fit(actual, r.ActualClass, size, 8), left + size / 2f, top + titleHeight * 0.28f, actual);
            using (var predicted = CanvasText.Paint(options.FontSize, r.IsCorrect ? Right : Wrong))
                CanvasText.DrawMiddle(canvas, CanvasText.Fit(predicted, r.PredictedClass, size, 8), left + size / 2f, top + titleHeight * 0.74f, predicted);

            var box = SKRect.Create(left, top + titleHeight, size, size);
            using var image = SKBitmap.Decode(images.Load(r.Index))
                ?? throw new InvalidDataException($"Could not decode the image of item {r.Index}.");
            float scale = Math.Min(box.Width / image.Width, box.Height / image.Height);
            float w = image.Width * scale, h = image.Height * scale;
            canvas.DrawBitmap(image, SKRect.Create(box.MidX - w / 2, box.MidY - h / 2, w, h), imagePaint);
        }

        canvas.Flush();
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Renders the first <paramref name="maxN"/> items of <paramref name="interpretation"/> (fastai <c>show_results(max_n)</c>) and returns the PNG bytes.</summary>
    /// <exception cref="InvalidOperationException">The interpretation has no item images, or no items.</exception>
    public static byte[] Render(ClassificationInterpretation interpretation, int maxN = ClassificationInterpretation.DefaultResultsCount, ResultsPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(interpretation);
        var images = interpretation.Items ?? throw new InvalidOperationException(
            "The interpretation has no item images: create it with an ItemImageSource (paths, bytes or a delegate) to show results.");
        var results = interpretation.Results(maxN);
        if (results.Count == 0) throw new InvalidOperationException("The interpretation has no items to show.");
        return Render(results, images, options);
    }

    /// <summary>Renders the first <paramref name="maxN"/> items to a PNG file, written atomically.</summary>
    /// <returns>The full path written.</returns>
    /// <exception cref="InvalidOperationException">The interpretation has no item images, or no items.</exception>
    public static string Save(ClassificationInterpretation interpretation, string path, int maxN = ClassificationInterpretation.DefaultResultsCount, ResultsPlotOptions? options = null) =>
        AtomicFile.WriteAllBytes(path, Render(interpretation, maxN, options));
}
