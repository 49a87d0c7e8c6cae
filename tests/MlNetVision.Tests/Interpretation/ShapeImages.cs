using SkiaSharp;

namespace MlNetVision.Tests.Interpretation;

/// <summary>Small real PNG images of drawn shapes (circle, square, triangle) on coloured backgrounds, for interpretation tests.</summary>
internal static class ShapeImages
{
    public static readonly string[] Classes = ["circle", "square", "triangle"];

    /// <summary>Draws <paramref name="perClass"/> images of each shape into <paramref name="folder"/>; returns (path, class index) in class-then-item order.</summary>
    public static List<(string Path, int Label)> Write(string folder, int perClass, int size = 48, int seed = 1)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(seed);
        var items = new List<(string, int)>();
        for (int label = 0; label < Classes.Length; label++)
            for (int i = 0; i < perClass; i++)
            {
                var path = Path.Combine(folder, $"{Classes[label]}_{i:D3}.png");
                using var bitmap = Draw(label, size, random);
                using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(path, data.ToArray());
                items.Add((path, label));
            }
        return items;
    }

    public static SKBitmap Draw(int label, int size, Random random)
    {
        var bitmap = new SKBitmap(size, size, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(new SKColor((byte)random.Next(0, 90), (byte)random.Next(0, 90), (byte)random.Next(0, 90)));
        using var paint = new SKPaint { IsAntialias = true, Color = new SKColor((byte)random.Next(150, 256), (byte)random.Next(150, 256), (byte)random.Next(150, 256)) };
        float r = size * (0.25f + 0.15f * (float)random.NextDouble());
        float cx = size / 2f + (float)(random.NextDouble() - 0.5) * size * 0.2f;
        float cy = size / 2f + (float)(random.NextDouble() - 0.5) * size * 0.2f;
        switch (label)
        {
            case 0: canvas.DrawCircle(cx, cy, r, paint); break;
            case 1: canvas.DrawRect(cx - r, cy - r, 2 * r, 2 * r, paint); break;
            default:
                using (var path = new SKPath())
                {
                    path.MoveTo(cx, cy - r);
                    path.LineTo(cx + r, cy + r);
                    path.LineTo(cx - r, cy + r);
                    path.Close();
                    canvas.DrawPath(path, paint);
                }
                break;
        }
        return bitmap;
    }

    /// <summary>A 12×12 grey thumbnail of the image as 144 features in 0..1 (for a small ML.NET classifier).</summary>
    public static float[] Features(string path)
    {
        using var original = SKBitmap.Decode(path);
        using var grey = new SKBitmap(new SKImageInfo(12, 12, SKColorType.Gray8, SKAlphaType.Opaque));
        original.ScalePixels(grey, SKFilterQuality.Medium);
        return grey.GetPixelSpan().ToArray().Select(b => b / 255f).ToArray();
    }
}
