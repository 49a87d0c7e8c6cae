using SkiaSharp;

namespace MlNetVision.Tests.Data;

/// <summary>Writes small real image files (encoded by SkiaSharp) into temporary folders for the data tests.</summary>
internal static class ImageFiles
{
    /// <summary>A new empty temporary folder.</summary>
    public static string NewFolder(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"mlnv-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Encodes a bitmap drawn by <paramref name="draw"/> to <paramref name="path"/>.</summary>
    public static string Write(string path, int width, int height, Action<SKCanvas> draw,
        SKEncodedImageFormat format = SKEncodedImageFormat.Png, SKColorType colorType = SKColorType.Rgba8888, SKAlphaType alpha = SKAlphaType.Premul)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, colorType, alpha));
        using (var canvas = new SKCanvas(bitmap)) draw(canvas);
        using var data = bitmap.Encode(format, 95);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    /// <summary>A solid image of one colour.</summary>
    public static string Solid(string path, SKColor color, int width = 40, int height = 40, SKEncodedImageFormat format = SKEncodedImageFormat.Png) =>
        Write(path, width, height, c => c.Clear(color), format);

    /// <summary>A solid image with a small marker square of another colour at the top-left corner.</summary>
    public static string Marked(string path, SKColor background, SKColor marker, int width, int height, int markerSize, SKEncodedImageFormat format = SKEncodedImageFormat.Png) =>
        Write(path, width, height, c =>
        {
            c.Clear(background);
            using var paint = new SKPaint { Color = marker };
            c.DrawRect(0, 0, markerSize, markerSize, paint);
        }, format);

    /// <summary>The colour of class <paramref name="k"/> in the synthetic data sets.</summary>
    public static SKColor ClassColor(int k) => k switch
    {
        0 => new SKColor(220, 30, 30),
        1 => new SKColor(30, 200, 40),
        2 => new SKColor(40, 60, 230),
        _ => new SKColor((byte)(50 * k), 128, 128),
    };

    /// <summary>
    /// An ImageNet-style folder: <c>train/&lt;class&gt;</c> and <c>valid/&lt;class&gt;</c> with solid images of a
    /// slightly varying shade of each class's colour, sizes varying so resizing is exercised.
    /// </summary>
    public static string TrainValidFolder(string[] classes, int trainPerClass, int validPerClass)
    {
        var root = NewFolder("tv");
        for (var k = 0; k < classes.Length; k++)
        {
            for (var i = 0; i < trainPerClass; i++) Shade(Path.Combine(root, "train", classes[k], $"{classes[k]}_{i:D3}.png"), k, i);
            for (var i = 0; i < validPerClass; i++) Shade(Path.Combine(root, "valid", classes[k], $"{classes[k]}_{i:D3}.png"), k, i);
        }
        return root;
    }

    /// <summary>One folder of class folders (no train/valid).</summary>
    public static string ClassFolders(string[] classes, int perClass)
    {
        var root = NewFolder("cf");
        for (var k = 0; k < classes.Length; k++)
            for (var i = 0; i < perClass; i++) Shade(Path.Combine(root, classes[k], $"{classes[k]}_{i:D3}.png"), k, i);
        return root;
    }

    private static void Shade(string path, int k, int i)
    {
        var c = ClassColor(k);
        var d = (byte)(i % 7);
        Solid(path, new SKColor((byte)Math.Min(255, c.Red + d), c.Green, c.Blue), 30 + i % 5 * 6, 36 - i % 3 * 4);
    }
}
