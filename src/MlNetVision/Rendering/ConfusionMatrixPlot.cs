using System.Globalization;
using MlNetVision.Interpretation;
using MlNetVision.IO;
using SkiaSharp;

namespace MlNetVision.Rendering;

/// <summary>
/// Draws a confusion matrix as a PNG heatmap ("Blues" colour map, as fastai v1): actual classes down the left,
/// predicted classes along the bottom, and the count (or row share) written in every cell.
/// </summary>
/// <remarks>
/// The picture is square, <c>2 × Margin + L + C × cell</c> pixels on each side for C classes, where
/// <c>cell = min(CellSize, max(20, MaxGridSize / C))</c> and L, the room
/// for class names, is the width of the longest name plus 10 pixels, at most <c>LabelAreaSize</c>.
/// Cell text is white on cells above half the largest value (fastai's threshold), black otherwise.
/// </remarks>
public static class ConfusionMatrixPlot
{
    // ColorBrewer "Blues", the stops matplotlib's Blues colour map interpolates.
    private static readonly SKColor[] Blues =
    [
        new(0xF7, 0xFB, 0xFF), new(0xDE, 0xEB, 0xF7), new(0xC6, 0xDB, 0xEF), new(0x9E, 0xCA, 0xE1), new(0x6B, 0xAE, 0xD6),
        new(0x42, 0x92, 0xC6), new(0x21, 0x71, 0xB5), new(0x08, 0x51, 0x9C), new(0x08, 0x30, 0x6B),
    ];

    /// <summary>Renders the confusion matrix of <paramref name="interpretation"/> and returns the PNG bytes.</summary>
    /// <param name="interpretation">The interpretation to draw.</param>
    /// <param name="options">Layout and normalisation; null for the defaults.</param>
    public static byte[] Render(ClassificationInterpretation interpretation, ConfusionMatrixPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(interpretation);
        options ??= new ConfusionMatrixPlotOptions();
        var counts = interpretation.ConfusionMatrix();
        var shares = interpretation.ConfusionMatrixShares();
        return Render(interpretation.Classes, counts, options.Normalize ? shares : null, options);
    }

    /// <summary>Renders the confusion matrix of <paramref name="interpretation"/> to a PNG file, written atomically.</summary>
    /// <param name="interpretation">The interpretation to draw.</param>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="normalize">Whether cells show row shares instead of counts; overrides <see cref="ConfusionMatrixPlotOptions.Normalize"/>.</param>
    /// <param name="options">Layout; null for the defaults.</param>
    /// <returns>The full path written.</returns>
    public static string Save(ClassificationInterpretation interpretation, string path, bool normalize = false, ConfusionMatrixPlotOptions? options = null) =>
        AtomicFile.WriteAllBytes(path, Render(interpretation, (options ?? new ConfusionMatrixPlotOptions()).WithNormalize(normalize)));

    private static byte[] Render(IReadOnlyList<string> classes, int[,] counts, double[,]? shares, ConfusionMatrixPlotOptions o)
    {
        int c = classes.Count, cell = Math.Min(o.CellSize, Math.Max(20, o.MaxGridSize / c)), m = o.Margin;
        float nameSize = Math.Min(o.FontSize, cell * 0.45f);
        int labels;
        using (var measure = CanvasText.Paint(nameSize, SKColors.Black))
        {
            float longest = classes.Max(n => measure.MeasureText(n));
            labels = Math.Min(o.LabelAreaSize, (int)Math.Ceiling(longest) + 10);
            // One size for every name: shrunk (down to 10 px) so that the longest fits; longer ones are then cut.
            if (longest > labels - 8) nameSize = Math.Max(Math.Min(10f, nameSize), nameSize * (labels - 8) / longest);
        }
        int side = 2 * m + labels + c * cell;
        float gridLeft = m + labels, gridTop = m, gridRight = gridLeft + c * cell, gridBottom = gridTop + c * cell;

        double max = 0, min = double.MaxValue;
        for (int a = 0; a < c; a++)
            for (int p = 0; p < c; p++)
            {
                double v = shares?[a, p] ?? counts[a, p];
                max = Math.Max(max, v);
                min = Math.Min(min, v);
            }
        double threshold = max / 2;

        return PngCanvas.Render(side, side, canvas =>
        {
            using var fill = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = false };
            using var cellText = CanvasText.Paint(Math.Min(o.FontSize, cell * 0.32f), SKColors.Black);
            for (int a = 0; a < c; a++)
                for (int p = 0; p < c; p++)
                {
                    double v = shares?[a, p] ?? counts[a, p];
                    var rect = SKRect.Create(gridLeft + p * cell, gridTop + a * cell, cell, cell);
                    fill.Color = ColorAt(max > min ? (v - min) / (max - min) : 0);
                    canvas.DrawRect(rect, fill);
                    cellText.Color = v > threshold ? SKColors.White : SKColors.Black;
                    var text = shares is null ? counts[a, p].ToString(CultureInfo.InvariantCulture)
                        : shares[a, p].ToString("F" + o.Decimals, CultureInfo.InvariantCulture);
                    cellText.TextSize = Math.Min(o.FontSize, cell * 0.32f);
                    CanvasText.DrawMiddle(canvas, CanvasText.Fit(cellText, text, cell - 4, 6), rect.MidX, rect.MidY, cellText);
                }
            using (var border = new SKPaint { Style = SKPaintStyle.Stroke, Color = SKColors.Black, StrokeWidth = 1 })
                canvas.DrawRect(SKRect.Create(gridLeft, gridTop, c * cell, c * cell), border);

            // Class names: actual classes right-aligned left of the rows, predicted classes rotated 90° under the columns.
            using var name = CanvasText.Paint(nameSize, SKColors.Black, align: SKTextAlign.Right);
            for (int k = 0; k < c; k++)
            {
                var text = CanvasText.Fit(name, classes[k], labels - 8, nameSize);
                CanvasText.DrawMiddle(canvas, text, gridLeft - 6, gridTop + (k + 0.5f) * cell, name);
                using (new SKAutoCanvasRestore(canvas))
                {
                    canvas.Translate(gridLeft + (k + 0.5f) * cell, gridBottom + 6);
                    canvas.RotateDegrees(-90);
                    CanvasText.DrawMiddle(canvas, text, 0, 0, name);
                }
            }

            using var title = CanvasText.Paint(o.FontSize * 1.25f, SKColors.Black, bold: true);
            CanvasText.DrawMiddle(canvas, CanvasText.Fit(title, o.Title, side - 8, 8), (gridLeft + gridRight) / 2, m / 2f, title);
            using var axis = CanvasText.Paint(o.FontSize * 1.1f, SKColors.Black, bold: true);
            CanvasText.DrawMiddle(canvas, "Predicted", (gridLeft + gridRight) / 2, side - m / 2f, axis);
            using (new SKAutoCanvasRestore(canvas))
            {
                canvas.Translate(m / 2f, (gridTop + gridBottom) / 2);
                canvas.RotateDegrees(-90);
                CanvasText.DrawMiddle(canvas, "Actual", 0, 0, axis);
            }
        });
    }

    /// <summary>The "Blues" colour at <paramref name="t"/> in 0..1.</summary>
    internal static SKColor ColorAt(double t)
    {
        t = Math.Clamp(t, 0, 1) * (Blues.Length - 1);
        int i = Math.Min((int)t, Blues.Length - 2);
        double f = t - i;
        var (a, b) = (Blues[i], Blues[i + 1]);
        return new SKColor(Lerp(a.Red, b.Red, f), Lerp(a.Green, b.Green, f), Lerp(a.Blue, b.Blue, f));
        static byte Lerp(byte x, byte y, double f) => (byte)Math.Round(x + (y - x) * f);
    }
}
