using SkiaSharp;

namespace MlNetVision.Rendering;

/// <summary>The one way renderers make a picture: a white RGBA canvas of a given size, drawn on, encoded as PNG.</summary>
internal static class PngCanvas
{
    /// <summary>Creates a white <paramref name="width"/> × <paramref name="height"/> canvas, runs <paramref name="draw"/> on it and returns the PNG bytes.</summary>
    public static byte[] Render(int width, int height, Action<SKCanvas> draw)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        draw(canvas);
        canvas.Flush();
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
