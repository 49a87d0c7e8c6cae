using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MlNetVision.MlNet;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Onnx;
using MlNetVision.Tests.Data;
using static TorchSharp.torch;

namespace MlNetVision.Tests.MlNet;

/// <summary>
/// What stock ML.NET does with bad input on the serving side (documented in docs/MLNET.md): an undecodable or zero-byte
/// file fails the whole <c>Transform</c> enumeration and the <c>PredictionEngine</c> call, and a null <see cref="MLImage"/>
/// is scored as a blank (fully transparent, so white) image.
/// </summary>
public sealed class ServingBadInputTests : IDisposable
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;
    private const int Size = 32;
    private static readonly string[] Classes = ["a", "b"];
    private readonly string _dir = Directory.CreateTempSubdirectory("mlnv-badserve-").FullName;
    private readonly string _onnx;

    public sealed class PathInput
    {
        public string ImagePath { get; set; } = "";
    }

    public sealed class ImageInput
    {
        [ImageType(Size, Size)]
        public MLImage? Image { get; set; }
    }

    public sealed class ScoreOutput
    {
        public float[] Score { get; set; } = [];
    }

    public ServingBadInputTests(Xunit.Abstractions.ITestOutputHelper output)
    {
        _output = output;
        NativeBackend.EnsureLoaded();
        using var scope = NewDisposeScope();
        manual_seed(2);
        var model = VisionModel.Create(Architectures.ResNet18, Classes.Length, pretrained: false);
        _onnx = OnnxExporter.Export(model, Path.Combine(_dir, "model.onnx"), new OnnxExportOptions
        {
            BatchLayout = OnnxBatchLayout.SingleImage, Height = Size, Width = Size, PixelInput = OnnxPixelInput.PremultipliedArgb,
        });
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Should_FailTheWholeEnumeration_When_ABatchHoldsAnUndecodableOrEmptyFile()
    {
        var ml = new MLContext(1);
        using var model = OnnxScoringPipeline.Create(ml, _onnx, Classes, Size);
        var good = Good("good.png");
        var empty = Path.Combine(_dir, "empty.png");
        File.WriteAllBytes(empty, []);
        var text = Path.Combine(_dir, "notes.png");
        File.WriteAllText(text, "not an image");

        // One engine for the whole test: disposing a PredictionEngine also releases the model's ONNX session.
        using var engine = ml.Model.CreatePredictionEngine<PathInput, ScoreOutput>(model);
        foreach (var bad in new[] { empty, text })
        {
            var batch = ml.Data.LoadFromEnumerable(new[] { good, bad, good }.Select(p => new PathInput { ImagePath = p }).ToList());
            var scored = model.Transform(batch); // lazy: nothing is decoded yet
            var error = Assert.ThrowsAny<Exception>(() => scored.GetColumn<float[]>("Score").ToList());
            _output.WriteLine($"Transform over a batch with {Path.GetFileName(bad)}: {Flatten(error)}");
            Assert.Contains("Splitter/consolidator worker encountered exception", error.Message);

            Assert.Equal(Classes.Length, engine.Predict(new PathInput { ImagePath = good }).Score.Length);
            var single = Assert.ThrowsAny<Exception>(() => engine.Predict(new PathInput { ImagePath = bad }));
            _output.WriteLine($"PredictionEngine on {Path.GetFileName(bad)}: {Flatten(single)}");
            Assert.Contains("Invalid input stream contents", Flatten(single));
        }
        Assert.Throws<ArgumentException>(() => MLImage.CreateFromStream(new MemoryStream([])));
    }

    [Fact]
    public void Should_ScoreABlankImage_When_TheMLImageIsNull()
    {
        var ml = new MLContext(1);
        using var model = OnnxScoringPipeline.Create(ml, _onnx, Classes, Size, imageColumnName: "Image", input: ScoringImageInput.MLImage);
        var transparent = Path.Combine(_dir, "clear.png");
        using (var bitmap = new SkiaSharp.SKBitmap(Size, Size))
        {
            bitmap.Erase(SkiaSharp.SKColors.Transparent);
            using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(transparent, data.ToArray());
        }
        using var white = File.OpenRead(transparent);
        var rows = new[] { new ImageInput { Image = null }, new ImageInput { Image = MLImage.CreateFromStream(white) } };
        var scores = model.Transform(ml.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Score").ToList();

        // ExtractPixels gives all zeros for a null image: alpha 0, which the graph composites to white.
        Assert.Equal(scores[1], scores[0]);
    }

    private string Good(string name)
    {
        using var bitmap = ParityImages.Pattern(40, 36, 1);
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    /// <summary>The exception with its inner exceptions (a multi-threaded cursor wraps the decoder's error in its own).</summary>
    private static string Flatten(Exception e) => e.ToString();
}
