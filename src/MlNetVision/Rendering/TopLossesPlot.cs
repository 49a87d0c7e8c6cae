using System.Globalization;
using MlNetVision.Interpretation;
using MlNetVision.IO;
using SkiaSharp;

namespace MlNetVision.Rendering;

/// <summary>
/// Draws the items with the largest losses as a PNG grid, each titled <c>predicted/actual</c> over
/// <c>loss / probability of actual</c> (fastai v1's <c>plot_top_losses</c> title, on two lines).
/// </summary>
/// <remarks>
/// The picture is <c>columns × ImageSize + (columns + 1) × Gap</c> pixels wide and
/// <c>HeaderHeight + rows × (TitleHeight + ImageSize) + (rows + 1) × Gap</c> high, with <c>columns = min(k, Columns ?? ⌈√k⌉)</c>
/// and <c>rows = ⌈k / columns⌉</c> (k is capped at the number of items). A title is red when the prediction is wrong.
/// With <see cref="TopLossesPlotOptions.HeatMap"/>, each cell shows the image the model saw under its Grad-CAM heat map.
/// </remarks>
public static class TopLossesPlot
{
    /// <summary>Renders the top <paramref name="k"/> losses and returns the PNG bytes.</summary>
    /// <param name="interpretation">The interpretation; it must have <see cref="ClassificationInterpretation.Items"/>.</param>
    /// <param name="k">How many items to show.</param>
    /// <param name="options">Layout; null for the defaults.</param>
    /// <exception cref="InvalidOperationException">The interpretation has no item images, or heat maps were asked for and it has no model.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    /// <exception cref="InvalidDataException">An item's image cannot be decoded.</exception>
    public static byte[] Render(ClassificationInterpretation interpretation, int k = 9, TopLossesPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(interpretation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        options ??= new TopLossesPlotOptions();
        // Heat maps carry the image the model saw, so they need no item images.
        var items = interpretation.Items ?? (options.HeatMap ? null : throw new InvalidOperationException(
            "The interpretation has no item images: create it with an ItemImageSource (paths, bytes or a delegate) to plot top losses."));
        var top = interpretation.TopLosses(k, options.Largest);
        if (top.Count == 0) throw new InvalidOperationException("The interpretation has no items to plot.");
        var heatMaps = options.HeatMap ? interpretation.HeatMaps(top.Select(t => t.Index).ToArray(), options.HeatMapTarget) : null;

        var grid = new TitledImageGrid(top.Count, options.Columns, options, options.HeaderHeight);
        return PngCanvas.Render(grid.Width, grid.Height, canvas =>
        {
            int width = grid.Width, gap = options.Gap;
            using (var header = CanvasText.Paint(options.FontSize * 1.2f, SKColors.Black, bold: true))
            {
                var text = CanvasText.Fit(header, options.Largest ? "Prediction/Actual/Loss/Probability" : "Prediction/Actual/Loss/Probability (smallest losses)", width - 2 * gap, 8);
                CanvasText.DrawMiddle(canvas, text, width / 2f, gap + options.HeaderHeight / 2f, header);
            }

            using var imagePaint = new SKPaint { FilterQuality = SKFilterQuality.High, IsAntialias = true };
            using var frame = new SKPaint { Style = SKPaintStyle.Stroke, Color = new SKColor(0xDD, 0xDD, 0xDD), StrokeWidth = 1 };
            for (int i = 0; i < top.Count; i++)
            {
                var t = top[i];
                var color = t.Predicted == t.Actual ? TitledImageGrid.Right : TitledImageGrid.Wrong;
                grid.DrawTitle(canvas, i, 0, $"{t.PredictedClass}/{t.ActualClass}", color);
                grid.DrawTitle(canvas, i, 1, string.Create(CultureInfo.InvariantCulture, $"{t.Loss:0.00} / {t.ProbabilityOfActual:0.00}"), color);

                var box = grid.ImageBox(i);
                if (heatMaps is not null)
                {
                    HeatMapOverlay.Draw(canvas, heatMaps[i], box, options.HeatMapAlpha);
                }
                else
                {
                    using var image = SKBitmap.Decode(items!.Load(t.Index))
                        ?? throw new InvalidDataException($"Could not decode the image of item {t.Index}{(items!.Path(t.Index) is { } p ? $" ({p})" : "")}.");
                    TitledImageGrid.DrawFitted(canvas, image, box, imagePaint);
                }
                canvas.DrawRect(box, frame);
            }
        });
    }

    /// <summary>Renders the top <paramref name="k"/> losses to a PNG file, written atomically.</summary>
    /// <returns>The full path written.</returns>
    /// <inheritdoc cref="Render(ClassificationInterpretation, int, TopLossesPlotOptions)"/>
    public static string Save(ClassificationInterpretation interpretation, int k, string path, TopLossesPlotOptions? options = null) =>
        AtomicFile.WriteAllBytes(path, Render(interpretation, k, options));
}
