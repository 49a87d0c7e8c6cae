using SkiaSharp;

namespace MlNetVision.Rendering;

/// <summary>Draws single lines of text with the embedded fonts, shrunk and then cut with an ellipsis to fit a width.</summary>
internal static class CanvasText
{
    /// <summary>Creates an anti-aliased text paint with the embedded DejaVu Sans.</summary>
    public static SKPaint Paint(float size, SKColor color, bool bold = false, SKTextAlign align = SKTextAlign.Center) => new()
    {
        Typeface = bold ? EmbeddedFonts.SansBold : EmbeddedFonts.Sans,
        TextSize = size,
        Color = color,
        IsAntialias = true,
        SubpixelText = true,
        TextAlign = align,
    };

    /// <summary>
    /// Returns <paramref name="text"/> as it fits in <paramref name="maxWidth"/>: the paint's size is lowered down to
    /// <paramref name="minSize"/> first, then characters are cut and an ellipsis appended.
    /// </summary>
    public static string Fit(SKPaint paint, string text, float maxWidth, float minSize)
    {
        while (paint.MeasureText(text) > maxWidth && paint.TextSize > minSize)
            paint.TextSize = Math.Max(minSize, paint.TextSize - 0.5f);
        if (paint.MeasureText(text) <= maxWidth) return text;
        int keep = text.Length;
        while (keep > 0 && paint.MeasureText(text[..keep] + "…") > maxWidth) keep--;
        return text[..keep] + "…";
    }

    /// <summary>Draws a line whose visual middle sits at <paramref name="middleY"/>.</summary>
    public static void DrawMiddle(SKCanvas canvas, string text, float x, float middleY, SKPaint paint)
    {
        paint.GetFontMetrics(out var m);
        canvas.DrawText(text, x, middleY - (m.Ascent + m.Descent) / 2, paint);
    }
}
