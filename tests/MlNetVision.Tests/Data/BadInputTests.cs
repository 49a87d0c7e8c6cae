using System.Buffers.Binary;
using MlNetVision.Data;
using SkiaSharp;

namespace MlNetVision.Tests.Data;

public sealed class BadInputTests : DataTestsBase
{
    [Fact]
    public void Should_SkipEveryBadInputWithOneWarning_When_TheFolderHoldsBadFiles()
    {
        var root = Track(BadFolder());
        var log = new StringWriter();
        using var bunch = ImageDataBunch.FromFolder(root, Small(log: log));

        Assert.Equal(["a", "b"], bunch.Classes);
        Assert.Equal([3, 3], bunch.TrainCounts);
        Assert.Equal([2, 1], bunch.ValidCounts);
        string Reason(string endsWith) => Assert.Single(bunch.Skipped, s => s.Source.EndsWith(endsWith, StringComparison.Ordinal)).Reason;
        Assert.Contains("0 bytes", Reason("zero.png"));
        Assert.Contains("truncated", Reason("truncated.jpg"));
        Assert.Contains("not a decodable image", Reason("text.png"));
        Assert.Contains("exceed", Reason("bomb.png"));
        Assert.Contains("extension", Reason("notes.txt"));
        Assert.Contains("empty class folder", Reason("empty"));
        Assert.Contains("no training image", Reason("only_valid.png"));
        Assert.Equal(7, bunch.Skipped.Count);

        var text = log.ToString();
        Assert.Equal(1, CountOf(text, "warning"));
        Assert.All(bunch.Skipped, s => Assert.Contains(s.Source, text));

        // Nothing crashes mid-epoch.
        foreach (var loader in new[] { bunch.Train, bunch.Valid })
            foreach (var batch in loader) batch.Dispose();
    }

    [Fact]
    public void Should_ThrowListingEveryBadInput_When_StrictIsSet()
    {
        var root = Track(BadFolder());
        var options = Small();
        options.Strict = true;

        var e = Assert.Throws<BadInputException>(() => ImageDataBunch.FromFolder(root, options));

        Assert.Equal(7, e.Inputs.Count);
        Assert.Contains("bomb.png", e.Message);
        Assert.Contains("zero.png", e.Message);
    }

    [Fact]
    public void Should_ThrowAClearError_When_NoTrainingImageIsUsable()
    {
        var root = Track(ImageFiles.NewFolder("none"));
        File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(Path.Combine(root, "a")).FullName, "x.png"), []);

        var e = Assert.Throws<BadInputException>(() => ImageDataBunch.FromFolder(root, Small()));

        Assert.Contains("No usable training image", e.Message);
    }

    [Fact]
    public void Should_RefuseTheFile_When_LoadingABadFileForInference()
    {
        var root = Track(ImageFiles.NewFolder("inf"));
        var text = Path.Combine(root, "text.jpg");
        File.WriteAllText(text, "this is not an image");

        Assert.Throws<ImageDecodeException>(() => ImageLoader.LoadForInference(text, 32));
        Assert.Throws<ImageDecodeException>(() => ImageLoader.LoadForInference(WriteBomb(Path.Combine(root, "bomb.png")), 32));
    }

    /// <summary>train/a (3 good + zero-byte, truncated, text, bomb, notes.txt), train/b (3 good), train/empty, valid/a, valid/b, valid/c (class only in valid).</summary>
    internal static string BadFolder()
    {
        var root = ImageFiles.NewFolder("bad");
        for (var i = 0; i < 3; i++)
        {
            ImageFiles.Solid(Path.Combine(root, "train", "a", $"a{i}.png"), ImageFiles.ClassColor(0));
            ImageFiles.Solid(Path.Combine(root, "train", "b", $"b{i}.png"), ImageFiles.ClassColor(1));
        }
        var a = Path.Combine(root, "train", "a");
        File.WriteAllBytes(Path.Combine(a, "zero.png"), []);
        var jpeg = File.ReadAllBytes(Noise(Path.Combine(root, "full.jpg")));
        File.Delete(Path.Combine(root, "full.jpg"));
        File.WriteAllBytes(Path.Combine(a, "truncated.jpg"), jpeg[..(jpeg.Length * 6 / 10)]);
        File.WriteAllText(Path.Combine(a, "text.png"), "not a picture at all, just text");
        WriteBomb(Path.Combine(a, "bomb.png"));
        File.WriteAllText(Path.Combine(a, "notes.txt"), "notes");
        Directory.CreateDirectory(Path.Combine(root, "train", "empty"));
        ImageFiles.Solid(Path.Combine(root, "valid", "a", "va0.png"), ImageFiles.ClassColor(0));
        ImageFiles.Solid(Path.Combine(root, "valid", "a", "va1.png"), ImageFiles.ClassColor(0));
        ImageFiles.Solid(Path.Combine(root, "valid", "b", "vb0.png"), ImageFiles.ClassColor(1));
        ImageFiles.Solid(Path.Combine(root, "valid", "c", "only_valid.png"), ImageFiles.ClassColor(2));
        return root;
    }

    /// <summary>A 64x64 JPEG of random pixels (so truncation cuts real scan data).</summary>
    internal static string Noise(string path)
    {
        var rng = new Random(1);
        return ImageFiles.Write(path, 64, 64, c =>
        {
            using var paint = new SKPaint();
            for (var y = 0; y < 64; y += 2)
                for (var x = 0; x < 64; x += 2)
                {
                    paint.Color = new SKColor((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
                    c.DrawRect(x, y, 2, 2, paint);
                }
        }, SKEncodedImageFormat.Jpeg);
    }

    /// <summary>A valid 1x1 PNG whose header (with a correct CRC) declares 60000x60000 pixels: an image bomb.</summary>
    internal static string WriteBomb(string path)
    {
        ImageFiles.Solid(path, SKColors.Black, 1, 1);
        var png = File.ReadAllBytes(path);
        // Signature (8) + length (4) + "IHDR" (4) + width (4) + height (4).
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 60_000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 60_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
        File.WriteAllBytes(path, png);
        return path;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    private static int CountOf(string text, string word)
    {
        var n = 0;
        for (var i = text.IndexOf(word, StringComparison.Ordinal); i >= 0; i = text.IndexOf(word, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
