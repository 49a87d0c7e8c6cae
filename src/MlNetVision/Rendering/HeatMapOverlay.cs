using MlNetVision.IO;
using MlNetVision.Interpretation;
using SkiaSharp;

namespace MlNetVision.Rendering;

/// <summary>
/// Draws a <see cref="HeatMap"/> over the image it was computed on, fastai v1's look: the magma colour map blended
/// over the image with opacity <see cref="DefaultAlpha"/> (matplotlib's <c>imshow(map, alpha=0.6, cmap='magma')</c>).
/// </summary>
public static class HeatMapOverlay
{
    /// <summary>The opacity of the colour map over the image (fastai v1's <c>alpha=0.6</c>).</summary>
    public const float DefaultAlpha = 0.6f;

    /// <summary>The overlay at the map's size (the model's input size), as PNG bytes.</summary>
    /// <param name="map">The heat map and its image.</param>
    /// <param name="alpha">The colour map's opacity, 0 (image only) to 1 (map only).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is outside 0..1.</exception>
    public static byte[] Render(HeatMap map, float alpha = DefaultAlpha)
    {
        using var bitmap = Blend(map, alpha);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Writes <see cref="Render"/>'s PNG to <paramref name="path"/>, atomically.</summary>
    /// <returns>The full path written.</returns>
    public static string Save(HeatMap map, string path, float alpha = DefaultAlpha) => AtomicFile.WriteAllBytes(path, Render(map, alpha));

    /// <summary>The image blended with the colour map (alpha 0 gives the image alone), at the map's size; the caller disposes it.</summary>
    internal static SKBitmap Blend(HeatMap map, float alpha)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (!(alpha >= 0 && alpha <= 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The opacity must be in 0..1.");
        var bitmap = new SKBitmap(new SKImageInfo(map.Width, map.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        var pixels = new byte[map.Width * map.Height * 4];
        var values = map.ValueSpan;
        var image = map.ImageSpan;
        for (int p = 0; p < values.Length; p++)
        {
            var c = ColorMaps.Magma(values[p]);
            pixels[4 * p] = Mix(image[3 * p], c.Red, alpha);
            pixels[4 * p + 1] = Mix(image[3 * p + 1], c.Green, alpha);
            pixels[4 * p + 2] = Mix(image[3 * p + 2], c.Blue, alpha);
            pixels[4 * p + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        return bitmap;
    }

    /// <summary>Draws the overlay scaled into <paramref name="box"/> (the map is square for square inputs; otherwise fitted, aspect ratio kept).</summary>
    internal static void Draw(SKCanvas canvas, HeatMap map, SKRect box, float alpha)
    {
        using var bitmap = Blend(map, alpha);
        using var paint = new SKPaint { FilterQuality = SKFilterQuality.High, IsAntialias = true };
        float scale = Math.Min(box.Width / map.Width, box.Height / map.Height);
        float w = map.Width * scale, h = map.Height * scale;
        canvas.DrawBitmap(bitmap, SKRect.Create(box.MidX - w / 2, box.MidY - h / 2, w, h), paint);
    }

    private static byte Mix(byte image, byte map, float alpha) => (byte)Math.Round(image * (1 - alpha) + map * alpha);
}
