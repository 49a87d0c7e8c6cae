using MlNetVision.Data;
using SkiaSharp;

namespace MlNetVision.Tests.Data;

public sealed class ImageProbeTests
{
    [Fact]
    public void Should_AcceptEveryFormat_When_TheFileDecodes()
    {
        using var dir = new TempFolder("probe-ok");
        foreach (var format in new[] { SKEncodedImageFormat.Png, SKEncodedImageFormat.Jpeg, SKEncodedImageFormat.Webp })
            Assert.Null(ImageProbe.Problem(ImageFiles.Solid(dir.File($"ok.{format}"), SKColors.Teal, 24, 16, format)));
    }

    [Fact]
    public void Should_GiveTheLoadersReason_When_TheFileIsBad()
    {
        using var dir = new TempFolder("probe-bad");
        var text = dir.File("text.png");
        File.WriteAllText(text, "this is not a PNG");
        var empty = dir.File("empty.png");
        File.WriteAllBytes(empty, []);
        var whole = File.ReadAllBytes(ImageFiles.Marked(dir.File("whole.jpg"), SKColors.White, SKColors.Black, 64, 64, 20, SKEncodedImageFormat.Jpeg));
        var truncated = dir.File("truncated.jpg");
        File.WriteAllBytes(truncated, whole[..(whole.Length - 40)]);
        var large = ImageFiles.Solid(dir.File("large.png"), SKColors.Gray, 40, 40);

        Assert.StartsWith("not a decodable image", ImageProbe.Problem(text));
        Assert.Equal("empty file (0 bytes)", ImageProbe.Problem(empty));
        Assert.Equal("truncated image (incomplete input)", ImageProbe.Problem(truncated));
        Assert.StartsWith("cannot be read", ImageProbe.Problem(dir.File("missing.png")));
        Assert.Equal("declared dimensions 40x40 exceed the 1,000-pixel limit (image bomb guard)", ImageProbe.Problem(large, maxPixels: 1000));
        Assert.Null(ImageProbe.Problem(large, maxPixels: 1600));

        // The bunch's loader refuses the same files for the same reasons.
        MlNetVision.Native.NativeBackend.EnsureLoaded();
        foreach (var bad in new[] { text, empty, truncated })
            Assert.Equal(ImageProbe.Problem(bad), Assert.Throws<ImageDecodeException>(() => ImageLoader.LoadForInference(bad, 32)).Message);
    }
}
