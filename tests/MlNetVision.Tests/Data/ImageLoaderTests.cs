using MlNetVision.Data;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Data;

public sealed class ImageLoaderTests : DataTestsBase
{
    private readonly string _dir;

    public ImageLoaderTests() => _dir = Track(ImageFiles.NewFolder("dec"));

    [Fact]
    public void Should_FlattenAlphaOntoWhite_When_TheImageIsTransparent()
    {
        var path = ImageFiles.Write(Path.Combine(_dir, "alpha.png"), 20, 20, c =>
        {
            c.Clear(SKColors.Transparent);
            using var paint = new SKPaint { Color = new SKColor(0, 0, 0, 128) };
            c.DrawRect(0, 10, 20, 10, paint);
        }, alpha: SKAlphaType.Unpremul);

        using var t = ImageLoader.LoadForInference(path, 20, ResizeMethod.Squish);

        // Top half fully transparent: white. Bottom half half-transparent black over white: mid grey.
        Assert.InRange(t.narrow(1, 0, 8).min().ToSingle(), 0.99f, 1f);
        Assert.InRange(t.narrow(1, 12, 8).mean().ToSingle(), 0.45f, 0.55f);
    }

    [Fact]
    public void Should_DecodeEveryServedFormat_When_LoadingJpegPngBmpGifAndWebp()
    {
        foreach (var (format, ext) in new[] { (SKEncodedImageFormat.Jpeg, "jpg"), (SKEncodedImageFormat.Png, "png"), (SKEncodedImageFormat.Webp, "webp") })
        {
            var path = ImageFiles.Solid(Path.Combine(_dir, $"c.{ext}"), new SKColor(200, 100, 50), 16, 16, format);
            using var t = ImageLoader.LoadForInference(path, 16);
            Assert.InRange(t[0].mean().ToSingle() * 255, 195, 205);
            Assert.InRange(t[2].mean().ToSingle() * 255, 45, 55);
        }
        // SkiaSharp encodes neither BMP nor GIF: write the smallest valid files by hand.
        using (var bmp = ImageLoader.LoadForInference(WriteBmp(Path.Combine(_dir, "c.bmp"), 200, 100, 50), 8))
            Assert.Equal(new[] { 200f, 100f, 50f }, Enumerable.Range(0, 3).Select(k => MathF.Round(bmp[k].mean().ToSingle() * 255)));
        using (var gif = ImageLoader.LoadForInference(WriteGif(Path.Combine(_dir, "c.gif")), 8))
            Assert.Equal(new[] { 255f, 0f, 0f }, Enumerable.Range(0, 3).Select(k => MathF.Round(gif[k].mean().ToSingle() * 255)));
    }

    [Fact]
    public void Should_CropPadOrSquishToTheSize_When_TheImageIsWide()
    {
        // 60x30: left third red, middle green, right third blue.
        var path = ImageFiles.Write(Path.Combine(_dir, "wide.png"), 60, 30, c =>
        {
            using var paint = new SKPaint();
            paint.Color = SKColors.Red; c.DrawRect(0, 0, 20, 30, paint);
            paint.Color = SKColors.Lime; c.DrawRect(20, 0, 20, 30, paint);
            paint.Color = SKColors.Blue; c.DrawRect(40, 0, 20, 30, paint);
        });

        using var crop = ImageLoader.LoadForInference(path, 30, ResizeMethod.Crop);
        using var squish = ImageLoader.LoadForInference(path, 30, ResizeMethod.Squish);
        using var pad = ImageLoader.LoadForInference(path, 30, ResizeMethod.Pad);

        Assert.All(new[] { crop, squish, pad }, t => Assert.Equal(new long[] { 3, 30, 30 }, t.shape));
        // The centre crop keeps x in 15..45: a little red, mostly green, a little blue.
        Assert.InRange(crop[1].mean().ToSingle(), 0.6f, 0.73f);
        // Squish keeps all three thirds equally.
        Assert.InRange(squish[0].mean().ToSingle(), 0.3f, 0.37f);
        Assert.InRange(squish[2].mean().ToSingle(), 0.3f, 0.37f);
        // Pad (ML.NET's IsoPad): the 30x15 image sits in rows 7..21, and the empty rows above and below are white.
        Assert.Equal(1f, pad.narrow(1, 0, 7).min().ToSingle());
        Assert.Equal(1f, pad.narrow(1, 23, 7).min().ToSingle());
        Assert.InRange(pad.narrow(1, 8, 13).sum(0L).mean().ToSingle(), 0.9f, 1.1f);
    }

    [Fact]
    public void Should_KeepTheLongSideForRandomCrops_When_CachingForCrop()
    {
        var path = ImageFiles.Solid(Path.Combine(_dir, "long.png"), SKColors.Gray, 100, 20);

        using var cached = ImageLoader.Decode(ImageSourceFor(path), 20, ResizeMethod.Crop, long.MaxValue);

        Assert.Equal(ScalarType.Byte, cached.dtype);
        Assert.Equal(new long[] { 3, 20, 30 }, cached.shape);
    }

    private static ImageSource ImageSourceFor(string path) => ImageSource.FromFile(path);

    /// <summary>Inserts an APP1 Exif segment with one Orientation tag right after the JPEG's SOI marker.</summary>
    internal static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff =
        [
            (byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, // big-endian TIFF header, first IFD at 8
            0, 1,                                     // one entry
            0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte)orientation, 0, 0, // Orientation, SHORT, count 1, value
            0, 0, 0, 0,                               // no next IFD
        ];
        var payload = "Exif\0\0"u8.ToArray().Concat(tiff).ToArray();
        var length = payload.Length + 2;
        var segment = new byte[] { 0xFF, 0xE1, (byte)(length >> 8), (byte)length }.Concat(payload);
        return jpeg[..2].Concat(segment).Concat(jpeg[2..]).ToArray();
    }

    /// <summary>A 4x4 24-bit BMP of one colour.</summary>
    private static string WriteBmp(string path, byte r, byte g, byte b)
    {
        const int w = 4, h = 4, rowBytes = w * 3;
        var pixels = h * rowBytes;
        using var s = new BinaryWriter(File.Create(path));
        s.Write((byte)'B'); s.Write((byte)'M'); s.Write(54 + pixels); s.Write(0); s.Write(54);
        s.Write(40); s.Write(w); s.Write(h); s.Write((short)1); s.Write((short)24); s.Write(0); s.Write(pixels); s.Write(2835); s.Write(2835); s.Write(0); s.Write(0);
        for (var i = 0; i < w * h; i++) { s.Write(b); s.Write(g); s.Write(r); }
        return path;
    }

    /// <summary>The classic 1x1 red GIF89a.</summary>
    private static string WriteGif(string path)
    {
        byte[] gif =
        [
            0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0x80, 0, 0, 0xFF, 0, 0, 0, 0, 0,
            0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0, 0x3B,
        ];
        File.WriteAllBytes(path, gif);
        return path;
    }
}
