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
    private static readonly SKColor Wrong = new(0xC6, 0x28, 0x28);
    private static readonly SKColor Right = new(0x2E, 0x7D, 0x32);

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

        int n = top.Count;
        int columns = Math.Clamp(options.Columns ?? (int)Math.Ceiling(Math.Sqrt(n)), 1, n);
        int rows = (n + columns - 1) / columns;
        int gap = options.Gap, size = options.ImageSize, titleHeight = options.TitleHeight;
        int width = columns * size + (columns + 1) * gap;
        int height = options.HeaderHeight + rows * (titleHeight + size) + (rows + 1) * gap;

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using (var header = CanvasText.Paint(options.FontSize * 1.2f, SKColors.Black, bold: true))
        {
            var text = CanvasText.Fit(header, options.Largest ? "Prediction/Actual/Loss/Probability" : "Prediction/Actual/Loss/Probability (smallest losses)", width - 2 * gap, 8);
            CanvasText.DrawMiddle(canvas, text, width / 2f, gap + options.HeaderHeight / 2f, header);
        }

        using var imagePaint = new SKPaint { FilterQuality = SKFilterQuality.High, IsAntialias = true };
        using var frame = new SKPaint { Style = SKPaintStyle.Stroke, Color = new SKColor(0xDD, 0xDD, 0xDD), StrokeWidth = 1 };
        for (int i = 0; i < n; i++)
        {
            var t = top[i];
            float left = gap + (i % columns) * (size + gap);
            float topY = gap + options.HeaderHeight + (i / columns) * (titleHeight + size + gap);
            var color = t.Predicted == t.Actual ? Right : Wrong;
            using (var line = CanvasText.Paint(options.FontSize, color))
            {
                var first = CanvasText.Fit(line, $"{t.PredictedClass}/{t.ActualClass}", size, 8);
                CanvasText.DrawMiddle(canvas, first, left + size / 2f, topY + titleHeight * 0.28f, line);
            }
            using (var line = CanvasText.Paint(options.FontSize, color))
            {
                var second = CanvasText.Fit(line, string.Create(CultureInfo.InvariantCulture, $"{t.Loss:0.00} / {t.ProbabilityOfActual:0.00}"), size, 8);
                CanvasText.DrawMiddle(canvas, second, left + size / 2f, topY + titleHeight * 0.74f, line);
            }

            var box = SKRect.Create(left, topY + titleHeight, size, size);
            if (heatMaps is not null)
            {
                HeatMapOverlay.Draw(canvas, heatMaps[i], box, options.HeatMapAlpha);
            }
            else
            {
                using var image = SKBitmap.Decode(items!.Load(t.Index))
                    ?? throw new InvalidDataException($"Could not decode the image of item {t.Index}{(items!.Path(t.Index) is { } p ? $" ({p})" : "")}.");
                canvas.DrawBitmap(image, FitInside(image.Width, image.Height, box), imagePaint);
            }
            canvas.DrawRect(box, frame);
        }

        canvas.Flush();
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Renders the top <paramref name="k"/> losses to a PNG file, written atomically.</summary>
    /// <returns>The full path written.</returns>
    /// <inheritdoc cref="Render(ClassificationInterpretation, int, TopLossesPlotOptions)"/>
    public static string Save(ClassificationInterpretation interpretation, int k, string path, TopLossesPlotOptions? options = null) =>
        AtomicFile.WriteAllBytes(path, Render(interpretation, k, options));

    private static SKRect FitInside(int width, int height, SKRect box)
    {
        float scale = Math.Min(box.Width / width, box.Height / height);
        float w = width * scale, h = height * scale;
        return SKRect.Create(box.MidX - w / 2, box.MidY - h / 2, w, h);
    }
}
