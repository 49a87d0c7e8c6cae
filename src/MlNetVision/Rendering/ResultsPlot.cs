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
    public static readonly SKColor Right = TitledImageGrid.Right;

    /// <summary>The colour of a wrong prediction's line.</summary>
    public static readonly SKColor Wrong = TitledImageGrid.Wrong;

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
        var grid = new TitledImageGrid(results.Count, options.Columns, options);
        return PngCanvas.Render(grid.Width, grid.Height, canvas =>
        {
            using var imagePaint = new SKPaint { FilterQuality = SKFilterQuality.High, IsAntialias = true };
            for (int i = 0; i < results.Count; i++)
            {
                var r = results[i];
                grid.DrawTitle(canvas, i, 0, r.ActualClass, SKColors.Black);
                grid.DrawTitle(canvas, i, 1, r.PredictedClass, r.IsCorrect ? Right : Wrong);
                using var image = SKBitmap.Decode(images.Load(r.Index))
                    ?? throw new InvalidDataException($"Could not decode the image of item {r.Index}.");
                TitledImageGrid.DrawFitted(canvas, image, grid.ImageBox(i), imagePaint);
            }
        });
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
