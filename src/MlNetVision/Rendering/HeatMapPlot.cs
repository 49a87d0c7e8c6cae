using MlNetVision.IO;
using System.Globalization;
using MlNetVision.Interpretation;
using SkiaSharp;

namespace MlNetVision.Rendering;

/// <summary>
/// The single-image view of a prediction: the image the model saw, the same image under its heat map, a colour bar,
/// and the title <c>predicted (probability)</c> over <c>map: class (probability)</c>.
/// </summary>
/// <remarks>
/// The picture is <c>panels × ImageSize + (panels + 1) × Gap</c> pixels wide and <c>TitleHeight + ImageSize + 2 × Gap +
/// BarHeight + Gap</c> high, with two panels when <see cref="HeatMapPlotOptions.ShowImage"/> is set and one otherwise.
/// </remarks>
public static class HeatMapPlot
{
    /// <summary>The height of the colour bar under the overlay, labels included, in pixels.</summary>
    public const int BarHeight = 30;

    /// <summary>Renders the view and returns the PNG bytes.</summary>
    /// <param name="map">The heat map (from <see cref="GradCam"/> or <c>learn.HeatMap</c>).</param>
    /// <param name="classes">The class names, index order.</param>
    /// <param name="options">Layout; null for the defaults.</param>
    /// <exception cref="ArgumentException">The class names do not match the map's probabilities.</exception>
    public static byte[] Render(HeatMap map, IReadOnlyList<string> classes, HeatMapPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(classes);
        if (classes.Count != map.Probabilities.Count)
            throw new ArgumentException($"{classes.Count} class names for {map.Probabilities.Count} probabilities.", nameof(classes));
        options ??= new HeatMapPlotOptions();
        int panels = options.ShowImage ? 2 : 1, gap = options.Gap, size = options.ImageSize;
        int width = panels * size + (panels + 1) * gap;
        int height = options.TitleHeight + size + 2 * gap + BarHeight + gap;

        string P(int c) => map.Probabilities[c].ToString("0.00", CultureInfo.InvariantCulture);
        return PngCanvas.Render(width, height, canvas =>
        {
            using (var line = CanvasText.Paint(options.FontSize, SKColors.Black, bold: true))
            {
                var text = CanvasText.Fit(line, $"{classes[map.Predicted]} ({P(map.Predicted)})", width - 2 * gap, 8);
                CanvasText.DrawMiddle(canvas, text, width / 2f, TitledImageGrid.TitleLineY(gap, options.TitleHeight, 0), line);
            }
            using (var line = CanvasText.Paint(options.FontSize, new SKColor(0x55, 0x55, 0x55)))
            {
                var text = CanvasText.Fit(line, $"heat map of: {classes[map.ClassIndex]} ({P(map.ClassIndex)}){FlatNote(map)}", width - 2 * gap, 8);
                CanvasText.DrawMiddle(canvas, text, width / 2f, TitledImageGrid.TitleLineY(gap, options.TitleHeight, 1), line);
            }

            float top = gap + options.TitleHeight;
            if (options.ShowImage) HeatMapOverlay.Draw(canvas, map, SKRect.Create(gap, top, size, size), 0);
            float left = gap + (panels - 1) * (size + gap);
            HeatMapOverlay.Draw(canvas, map, SKRect.Create(left, top, size, size), options.Alpha);

            // Colour bar: the map's 0..1 in magma, as it is blended.
            float barTop = top + size + gap;
            for (int x = 0; x < size; x++)
            {
                using var paint = new SKPaint { Color = ColorMaps.Magma(x / (float)(size - 1)) };
                canvas.DrawRect(left + x, barTop, 1, 10, paint);
            }
            using (var label = CanvasText.Paint(11, SKColors.Black, align: SKTextAlign.Left))
                CanvasText.DrawMiddle(canvas, "0 (no evidence)", left, barTop + 20, label);
            using (var label = CanvasText.Paint(11, SKColors.Black, align: SKTextAlign.Right))
                CanvasText.DrawMiddle(canvas, "1 (strongest)", left + size, barTop + 20, label);
        });
    }

    private static string FlatNote(HeatMap map) => !map.IsFlat ? ""
        : map.FeatureHeight * map.FeatureWidth == 1 ? ", flat: 1×1 feature map, no location"
        : ", flat: no positive evidence";

    /// <summary>Renders the view to a PNG file, written atomically.</summary>
    /// <returns>The full path written.</returns>
    /// <inheritdoc cref="Render(HeatMap, IReadOnlyList{string}, HeatMapPlotOptions)"/>
    public static string Save(HeatMap map, IReadOnlyList<string> classes, string path, HeatMapPlotOptions? options = null) =>
        AtomicFile.WriteAllBytes(path, Render(map, classes, options));
}
