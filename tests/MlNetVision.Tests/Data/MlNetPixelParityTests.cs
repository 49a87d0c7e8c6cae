using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MlNetVision.Data;
using MlNetVision.Native;
using SkiaSharp;
using TorchSharp;
using Xunit.Abstractions;

namespace MlNetVision.Tests.Data;

/// <summary>
/// The learner's decoder against ML.NET's own image transforms, pixel for pixel: for every image kind and every
/// <see cref="ResizeMethod"/>, <c>LoadImages → ResizeImages → ExtractPixels(All)</c> must give exactly the premultiplied
/// ARGB the learner computes, and the learner's RGB must be exactly those pixels composited onto white (what the exported
/// graph does). No model is involved, so a difference here is a preprocessing difference and nothing else.
/// </summary>
public sealed class MlNetPixelParityTests(ITestOutputHelper output) : DataTestsBase
{
    private const int Size = 48;

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
    }

    [Theory]
    [InlineData(ResizeMethod.Crop)]
    [InlineData(ResizeMethod.Pad)]
    [InlineData(ResizeMethod.Squish)]
    public void Should_ComputeMlNetsPixelsExactly_When_DecodingEveryImageKind(ResizeMethod method)
    {
        NativeBackend.EnsureLoaded();
        var dir = Track(ImageFiles.NewFolder("pixels"));
        var files = ParityImages.Write(dir);
        var served = MlNetPixels(files.Select(f => f.Path).ToList(), method);

        var worst = new List<string>();
        for (int i = 0; i < files.Count; i++)
        {
            using var argb = ImageLoader.LoadPremultipliedArgb(files[i].Path, Size, method);
            var ours = argb.data<float>().ToArray();
            var theirs = served[i];
            Assert.Equal(theirs.Length, ours.Length);
            var argbDiff = ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max();

            using var rgb = ImageLoader.LoadForInference(files[i].Path, Size, method);
            var learner = rgb.mul(255f).round().data<float>().ToArray();
            int plane = Size * Size;
            float rgbDiff = 0;
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < plane; p++)
                {
                    var onWhite = Math.Min(theirs[(c + 1) * plane + p] - theirs[p] + 255, 255);
                    rgbDiff = Math.Max(rgbDiff, Math.Abs(learner[c * plane + p] - onWhite));
                }
            output.WriteLine($"{method,-6} {files[i].Kind,-30} max |ARGB diff| {argbDiff}  max |RGB-on-white diff| {rgbDiff}");
            if (argbDiff != 0 || rgbDiff != 0) worst.Add($"{files[i].Kind} (ARGB {argbDiff}, RGB {rgbDiff})");
        }
        Assert.True(worst.Count == 0, $"{method}: the learner's pixels differ from ML.NET's for {string.Join(", ", worst)}");
    }

    [Fact]
    public void Should_IgnoreTheExifOrientation_When_DecodingAJpegLikeMlNet()
    {
        NativeBackend.EnsureLoaded();
        var dir = Track(ImageFiles.NewFolder("exif"));
        var plain = ImageFiles.Marked(Path.Combine(dir, "m.jpg"), SKColors.White, SKColors.Black, 40, 30, 12, SKEncodedImageFormat.Jpeg);
        var rotated = Path.Combine(dir, "exif6.jpg");
        File.WriteAllBytes(rotated, ImageLoaderTests.WithExifOrientation(File.ReadAllBytes(plain), 6));

        using var a = ImageLoader.LoadForInference(plain, 30, ResizeMethod.Squish);
        using var b = ImageLoader.LoadForInference(rotated, 30, ResizeMethod.Squish);

        // Stored pixels as they are: the marker stays top-left, as ML.NET's LoadImages and fastai v1's open_image see it.
        Assert.Equal(0f, a.sub(b).abs().max().ToSingle());
        Assert.True(b[0, 0, 0].ToSingle() < 0.2f);
    }

    /// <summary>What ML.NET's stock chain extracts for each file: planar ARGB floats 0..255.</summary>
    private static List<float[]> MlNetPixels(IReadOnlyList<string> paths, ResizeMethod method)
    {
        var ml = new MLContext(0);
        var kind = method switch
        {
            ResizeMethod.Pad => ImageResizingEstimator.ResizingKind.IsoPad,
            ResizeMethod.Squish => ImageResizingEstimator.ResizingKind.Fill,
            _ => ImageResizingEstimator.ResizingKind.IsoCrop,
        };
        var data = ml.Data.LoadFromEnumerable(paths.Select(p => new PathRow { ImagePath = p }).ToList());
        var pipeline = ml.Transforms.LoadImages("Image", null, nameof(PathRow.ImagePath))
            .Append(ml.Transforms.ResizeImages("Image", Size, Size, "Image", kind, ImageResizingEstimator.Anchor.Center))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image", ImagePixelExtractingEstimator.ColorBits.All, ImagePixelExtractingEstimator.ColorsOrder.ARGB));
        return pipeline.Fit(data).Transform(data).GetColumn<float[]>("Pixels").ToList();
    }
}
