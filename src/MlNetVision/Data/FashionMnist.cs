using System.IO.Compression;
using MlNetVision.IO;
using SkiaSharp;


namespace MlNetVision.Data;

/// <summary>
/// Reads Fashion-MNIST (Zalando Research, MIT licence) from the idx files of Debian's <c>dataset-fashion-mnist</c>
/// package and writes it as a folder data set of PNGs that <see cref="ImageDataBunch.FromFolder"/> reads.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> installs the idx files.</summary>
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    /// <summary>The ten class names, in label order, as folder-safe names.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["tshirt_top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle_boot"];

    /// <summary>Reads an idx3 image file (optionally gzipped): the images as 28×28 grayscale byte arrays.</summary>
    /// <param name="path">The <c>*-images-idx3-ubyte[.gz]</c> file.</param>
    /// <returns>The images, row-major, and their height and width.</returns>
    /// <exception cref="InvalidDataException">The file is not an idx3 unsigned-byte file.</exception>
    public static (byte[][] Images, int Rows, int Cols) ReadImages(string path)
    {
        using var stream = OpenIdx(path);
        var magic = ReadInt32BigEndian(stream);
        if (magic != 0x00000803) throw new InvalidDataException($"'{path}' is not an idx3 unsigned-byte file (magic 0x{magic:X8}).");
        var count = ReadInt32BigEndian(stream);
        var rows = ReadInt32BigEndian(stream);
        var cols = ReadInt32BigEndian(stream);
        var images = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            images[i] = new byte[rows * cols];
            stream.ReadExactly(images[i]);
        }
        return (images, rows, cols);
    }

    /// <summary>Reads an idx1 label file (optionally gzipped).</summary>
    /// <param name="path">The <c>*-labels-idx1-ubyte[.gz]</c> file.</param>
    /// <returns>One label (0..9) per image.</returns>
    /// <exception cref="InvalidDataException">The file is not an idx1 unsigned-byte file.</exception>
    public static byte[] ReadLabels(string path)
    {
        using var stream = OpenIdx(path);
        var magic = ReadInt32BigEndian(stream);
        if (magic != 0x00000801) throw new InvalidDataException($"'{path}' is not an idx1 unsigned-byte file (magic 0x{magic:X8}).");
        var labels = new byte[ReadInt32BigEndian(stream)];
        stream.ReadExactly(labels);
        return labels;
    }

    /// <summary>
    /// Writes <c>train/&lt;class&gt;/*.png</c> from the first images of each class of the training file,
    /// <c>valid/&lt;class&gt;/*.png</c> from the first images of each class of the t10k file and, when asked,
    /// <c>test/&lt;class&gt;/*.png</c> from the following t10k images. File names carry the source index
    /// (<c>train_00042.png</c>), so the output is the same on every run.
    /// </summary>
    /// <param name="target">The folder to write (created when missing).</param>
    /// <param name="trainPerClass">Training images per class; at most 6,000.</param>
    /// <param name="validPerClass">Validation images per class; at most 1,000 together with <paramref name="testPerClass"/>.</param>
    /// <param name="testPerClass">Test images per class; 0 writes no test folder.</param>
    /// <param name="sourceFolder">The folder of the four idx files; <c>null</c> for <see cref="DebianFolder"/>.</param>
    /// <returns>The number of PNG files written.</returns>
    /// <exception cref="FileNotFoundException">An idx file is missing (install <c>dataset-fashion-mnist</c>).</exception>
    public static int WriteFolder(string target, int trainPerClass, int validPerClass, int testPerClass = 0, string? sourceFolder = null)
    {
        var src = sourceFolder ?? DebianFolder;
        string File(string name)
        {
            foreach (var candidate in new[] { name + ".gz", name })
            {
                var p = System.IO.Path.Combine(src, candidate);
                if (System.IO.File.Exists(p)) return p;
            }
            throw new FileNotFoundException($"'{name}[.gz]' not found in '{src}'. Install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist).", name);
        }

        var written = 0;
        var (trainImages, rows, cols) = ReadImages(File("train-images-idx3-ubyte"));
        var trainLabels = ReadLabels(File("train-labels-idx1-ubyte"));
        written += WriteSplit(target, "train", trainImages, trainLabels, rows, cols, 0, trainPerClass);
        var (testImages, _, _) = ReadImages(File("t10k-images-idx3-ubyte"));
        var testLabels = ReadLabels(File("t10k-labels-idx1-ubyte"));
        written += WriteSplit(target, "valid", testImages, testLabels, rows, cols, 0, validPerClass);
        if (testPerClass > 0) written += WriteSplit(target, "test", testImages, testLabels, rows, cols, validPerClass, testPerClass);
        return written;
    }

    /// <summary>Encodes one grayscale image as a PNG.</summary>
    /// <param name="pixels">Row-major grayscale bytes.</param>
    /// <param name="rows">The height.</param>
    /// <param name="cols">The width.</param>
    /// <returns>The PNG bytes.</returns>
    public static byte[] EncodePng(byte[] pixels, int rows, int cols)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(cols, rows, SKColorType.Gray8, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    private static int WriteSplit(string target, string split, byte[][] images, byte[] labels, int rows, int cols, int skipPerClass, int perClass)
    {
        var prefix = split == "train" ? "train" : "t10k";
        var seen = new int[ClassNames.Count];
        var written = 0;
        for (var i = 0; i < images.Length; i++)
        {
            var label = labels[i];
            var n = seen[label]++;
            if (n < skipPerClass || n >= skipPerClass + perClass) continue;
            var dir = System.IO.Path.Combine(target, split, ClassNames[label]);
            Directory.CreateDirectory(dir);
            AtomicFile.WriteAllBytes(System.IO.Path.Combine(dir, $"{prefix}_{i:D5}.png"), EncodePng(images[i], rows, cols));
            written++;
        }
        return written;
    }

    private static Stream OpenIdx(string path)
    {
        Stream file = System.IO.File.OpenRead(path);
        return path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(file, CompressionMode.Decompress) : new BufferedStream(file);
    }

    private static int ReadInt32BigEndian(Stream stream)
    {
        Span<byte> b = stackalloc byte[4];
        stream.ReadExactly(b);
        return System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(b);
    }
}
