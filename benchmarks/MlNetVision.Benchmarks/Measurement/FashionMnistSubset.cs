using System.IO.Compression;
using SkiaSharp;

namespace MlNetVision.Benchmarks.Measurement;

/// <summary>
/// The end-to-end training data: the first images of Fashion-MNIST's training set (Debian's dataset-fashion-mnist),
/// balanced over the ten classes, written once as 28x28 grayscale PNG files in one folder per class under the
/// system's temporary folder, so both sides decode the same files.
/// </summary>
internal static class FashionMnistSubset
{
    public const string DefaultSource = "/usr/share/datasets/fashion-mnist";

    public static readonly string[] Classes =
        ["T-shirt_top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle_boot"];

    /// <summary>Returns the folder holding <paramref name="count"/> images, writing it when it is not there yet.</summary>
    public static string Ensure(int count, string source = DefaultSource)
    {
        var dir = Path.Combine(Path.GetTempPath(), "mlnetvision-bench", $"fashion-mnist-train-{count}");
        if (File.Exists(Path.Combine(dir, ".complete"))) return dir;
        var images = Path.Combine(source, "train-images-idx3-ubyte.gz");
        var labels = Path.Combine(source, "train-labels-idx1-ubyte.gz");
        if (!File.Exists(images) || !File.Exists(labels))
            throw new FileNotFoundException($"Fashion-MNIST is not in {source}: run bash benchmarks/setup.sh (Debian's dataset-fashion-mnist).", images);
        var pixels = ReadIdx(images, out var rows, out var cols);
        var classes = ReadIdx(labels, out _, out _);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        foreach (var c in Classes) Directory.CreateDirectory(Path.Combine(dir, c));
        var perClass = new int[Classes.Length];
        int written = 0, quota = (count + Classes.Length - 1) / Classes.Length;
        for (int i = 0; i < classes.Length && written < count; i++)
        {
            int c = classes[i];
            if (perClass[c] >= quota) continue;
            using var bitmap = new SKBitmap(new SKImageInfo(cols, rows, SKColorType.Gray8, SKAlphaType.Opaque));
            System.Runtime.InteropServices.Marshal.Copy(pixels, i * rows * cols, bitmap.GetPixels(), rows * cols);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(Path.Combine(dir, Classes[c], $"{i:D5}.png"), data.ToArray());
            perClass[c]++;
            written++;
        }
        File.WriteAllText(Path.Combine(dir, ".complete"), written.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return dir;
    }

    // idx format: magic (0,0,type,dims), big-endian sizes, then bytes. Returns the payload.
    private static byte[] ReadIdx(string path, out int rows, out int cols)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        var bytes = ms.ToArray();
        int dims = bytes[3];
        int Int(int at) => (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
        rows = dims > 1 ? Int(8) : 1;
        cols = dims > 2 ? Int(12) : 1;
        return bytes[(4 + 4 * dims)..];
    }
}
