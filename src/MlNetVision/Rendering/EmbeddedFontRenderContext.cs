using OxyPlot;
using OxyPlot.SkiaSharp;
using SkiaSharp;

namespace MlNetVision.Rendering;

/// <summary>
/// An OxyPlot render context that draws shapes through OxyPlot's own <see cref="SkiaRenderContext"/> and text with
/// the <see cref="EmbeddedFonts"/>, so plots carry readable labels on machines without system fonts.
/// </summary>
internal sealed class EmbeddedFontRenderContext : IRenderContext, IDisposable
{
    private readonly SkiaRenderContext _inner;
    private readonly SKCanvas _canvas;

    public EmbeddedFontRenderContext(SKCanvas canvas)
    {
        _canvas = canvas;
        _inner = new SkiaRenderContext { RenderTarget = RenderTarget.PixelGraphic, SkCanvas = canvas, UseTextShaping = false };
    }

    public bool RendersToScreen => false;
    public int ClipCount => _inner.ClipCount;

    public void DrawText(ScreenPoint p, string text, OxyColor fill, string? fontFamily = null, double fontSize = 10, double fontWeight = 400,
        double rotation = 0, HorizontalAlignment horizontalAlignment = HorizontalAlignment.Left,
        VerticalAlignment verticalAlignment = VerticalAlignment.Top, OxySize? maxSize = null)
    {
        if (string.IsNullOrEmpty(text) || !fill.IsVisible()) return;
        using var paint = TextPaint(fontSize, fontWeight);
        paint.Color = new SKColor(fill.R, fill.G, fill.B, fill.A);
        var lines = text.Split('\n');
        float lineHeight = paint.GetFontMetrics(out var metrics);
        float dy = verticalAlignment switch
        {
            VerticalAlignment.Top => -metrics.Ascent,
            VerticalAlignment.Middle => -(metrics.Ascent + metrics.Descent + lineHeight * (lines.Length - 1)) / 2,
            _ => -metrics.Descent - lineHeight * (lines.Length - 1),
        };
        paint.TextAlign = horizontalAlignment switch
        {
            HorizontalAlignment.Center => SKTextAlign.Center,
            HorizontalAlignment.Right => SKTextAlign.Right,
            _ => SKTextAlign.Left,
        };
        using var _ = new SKAutoCanvasRestore(_canvas);
        _canvas.Translate((float)p.X, (float)p.Y);
        _canvas.RotateDegrees((float)rotation);
        foreach (var line in lines)
        {
            _canvas.DrawText(line, 0, dy, paint);
            dy += lineHeight;
        }
    }

    public OxySize MeasureText(string text, string? fontFamily = null, double fontSize = 10, double fontWeight = 500)
    {
        if (string.IsNullOrEmpty(text)) return OxySize.Empty;
        using var paint = TextPaint(fontSize, fontWeight);
        var lines = text.Split('\n');
        float lineHeight = paint.GetFontMetrics(out _);
        return new OxySize(lines.Max(l => paint.MeasureText(l)), lineHeight * lines.Length);
    }

    private static SKPaint TextPaint(double fontSize, double fontWeight) => new()
    {
        Typeface = EmbeddedFonts.ForWeight(fontWeight),
        TextSize = (float)fontSize,
        IsAntialias = true,
        SubpixelText = true,
    };

    public void DrawEllipse(OxyRect extents, OxyColor fill, OxyColor stroke, double thickness, EdgeRenderingMode mode) =>
        _inner.DrawEllipse(extents, fill, stroke, thickness, mode);
    public void DrawEllipses(IList<OxyRect> extents, OxyColor fill, OxyColor stroke, double thickness, EdgeRenderingMode mode) =>
        _inner.DrawEllipses(extents, fill, stroke, thickness, mode);
    public void DrawLine(IList<ScreenPoint> points, OxyColor stroke, double thickness, EdgeRenderingMode mode, double[]? dashArray = null, LineJoin lineJoin = LineJoin.Miter) =>
        _inner.DrawLine(points, stroke, thickness, mode, dashArray, lineJoin);
    public void DrawLineSegments(IList<ScreenPoint> points, OxyColor stroke, double thickness, EdgeRenderingMode mode, double[]? dashArray = null, LineJoin lineJoin = LineJoin.Miter) =>
        _inner.DrawLineSegments(points, stroke, thickness, mode, dashArray, lineJoin);
    public void DrawPolygon(IList<ScreenPoint> points, OxyColor fill, OxyColor stroke, double thickness, EdgeRenderingMode mode, double[]? dashArray = null, LineJoin lineJoin = LineJoin.Miter) =>
        _inner.DrawPolygon(points, fill, stroke, thickness, mode, dashArray, lineJoin);
    public void DrawPolygons(IList<IList<ScreenPoint>> polygons, OxyColor fill, OxyColor stroke, double thickness, EdgeRenderingMode mode, double[]? dashArray = null, LineJoin lineJoin = LineJoin.Miter) =>
        _inner.DrawPolygons(polygons, fill, stroke, thickness, mode, dashArray, lineJoin);
    public void DrawRectangle(OxyRect rectangle, OxyColor fill, OxyColor stroke, double thickness, EdgeRenderingMode mode) =>
        _inner.DrawRectangle(rectangle, fill, stroke, thickness, mode);
    public void DrawRectangles(IList<OxyRect> rectangles, OxyColor fill, OxyColor stroke, double thickness, EdgeRenderingMode mode) =>
        _inner.DrawRectangles(rectangles, fill, stroke, thickness, mode);
    public void DrawImage(OxyImage source, double srcX, double srcY, double srcWidth, double srcHeight, double destX, double destY,
        double destWidth, double destHeight, double opacity, bool interpolate) =>
        _inner.DrawImage(source, srcX, srcY, srcWidth, srcHeight, destX, destY, destWidth, destHeight, opacity, interpolate);
    public void SetToolTip(string text) { }
    public void CleanUp() => _inner.CleanUp();
    public void PushClip(OxyRect clippingRectangle) => _inner.PushClip(clippingRectangle);
    public void PopClip() => _inner.PopClip();
    public void Dispose() => _inner.Dispose();
}
