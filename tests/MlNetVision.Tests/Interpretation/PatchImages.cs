using SkiaSharp;

namespace MlNetVision.Tests.Interpretation;

/// <summary>
/// Images whose class is decided only by a coloured square patch at a random position on a grey textured background
/// (random grey blobs and strokes, no colour anywhere else), written as PNG files with the patch's rectangle known.
/// </summary>
internal static class PatchImages
{
    public static readonly string[] Classes = ["blue", "green", "red"];

    private static readonly SKColor[] Colors = [new(40, 70, 235), new(30, 190, 50), new(225, 35, 35)];

    /// <summary>One written image: its file, its class index and the patch rectangle in pixels.</summary>
    public sealed record Item(string Path, int Label, SKRectI Patch);

    /// <summary>Writes <paramref name="perClass"/> images of each class to <paramref name="folder"/>/&lt;class&gt;/.</summary>
    public static List<Item> Write(string folder, int perClass, int size, int patch, int seed)
    {
        var random = new Random(seed);
        var items = new List<Item>();
        for (int i = 0; i < perClass; i++)
            for (int label = 0; label < Classes.Length; label++)
            {
                var path = Path.Combine(folder, Classes[label], $"{Classes[label]}_{i:D3}.png");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                var (bitmap, rect) = Draw(label, size, patch, random);
                using (bitmap)
                using (var data = bitmap.Encode(SKEncodedImageFormat.Png, 100))
                    File.WriteAllBytes(path, data.ToArray());
                items.Add(new Item(path, label, rect));
            }
        return items;
    }

    /// <summary>Draws one image; the patch lies fully inside, at least 2 pixels from the border.</summary>
    public static (SKBitmap Bitmap, SKRectI Patch) Draw(int label, int size, int patch, Random random)
    {
        var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(Grey(random, 90, 170));
        using var paint = new SKPaint { IsAntialias = true };
        for (int k = 0; k < 40; k++)
        {
            paint.Color = Grey(random, 20, 240);
            paint.Style = random.Next(2) == 0 ? SKPaintStyle.Fill : SKPaintStyle.Stroke;
            paint.StrokeWidth = 1 + random.Next(4);
            float x = random.Next(size), y = random.Next(size), r = 2 + random.Next(size / 6);
            if (random.Next(2) == 0) canvas.DrawCircle(x, y, r, paint);
            else canvas.DrawLine(x, y, random.Next(size), random.Next(size), paint);
        }
        int left = 2 + random.Next(size - patch - 4), top = 2 + random.Next(size - patch - 4);
        var c = Colors[label];
        paint.Style = SKPaintStyle.Fill;
        paint.Color = new SKColor(Jitter(c.Red, random), Jitter(c.Green, random), Jitter(c.Blue, random));
        canvas.DrawRect(left, top, patch, patch, paint);
        return (bitmap, new SKRectI(left, top, left + patch, top + patch));
    }

    /// <summary>Whether the map's peak lies inside <paramref name="patch"/> grown by <paramref name="margin"/> pixels on each side.</summary>
    public static bool PeakInside(MlNetVision.Interpretation.HeatMap map, SKRectI patch, int margin)
    {
        if (map.Peak() is not { } peak) return false;
        return peak.Column >= patch.Left - margin && peak.Column < patch.Right + margin
            && peak.Row >= patch.Top - margin && peak.Row < patch.Bottom + margin;
    }

    private static SKColor Grey(Random random, int lo, int hi)
    {
        var v = (byte)random.Next(lo, hi);
        return new SKColor(v, v, v);
    }

    private static byte Jitter(byte v, Random random) => (byte)Math.Clamp(v + random.Next(-15, 16), 0, 255);
}
