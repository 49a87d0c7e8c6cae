using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetVision.Data;
using MlNetVision.MlNet;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Onnx;
using MlNetVision.Tests.Data;
using MlNetVision.Training;
using Xunit.Abstractions;

namespace MlNetVision.Tests.MlNet;

/// <summary>
/// The shipped model against the learner on every image kind (<see cref="ParityImages"/>) and every
/// <see cref="ResizeMethod"/>: <c>learner.Predict(path)</c> vs the saved and reloaded model.zip with a path column, the
/// same with an in-memory <see cref="MLImage"/> column, and model.onnx run by ONNX Runtime. Same arg-max everywhere and
/// probabilities within 1e-3; the worst difference is printed.
/// </summary>
public class TrainingServingParityTests(ITestOutputHelper output)
{
    private const int Size = 48;
    private const float Tolerance = 1e-3f;

    public sealed class PathInput
    {
        public string ImagePath { get; set; } = "";
    }

    public sealed class ImageInput
    {
        [ImageType(Size, Size)] // ML.NET 5 needs some size here (the parameterless attribute throws); any image size is accepted
        public MLImage? Image { get; set; }
    }

    public sealed class ScoreOutput
    {
        public float[] Score { get; set; } = [];
    }

    [Theory]
    [InlineData(ResizeMethod.Crop)]
    [InlineData(ResizeMethod.Pad)]
    [InlineData(ResizeMethod.Squish)]
    public void Should_ScoreEveryImageKindLikeTheLearner_When_ServedByModelZipMlImageAndOnnxRuntime(ResizeMethod method)
    {
        NativeBackend.EnsureLoaded();
        using var temp = new TempFolder("parity");
        var dir = temp.Path;
        var files = ParityImages.Write(dir);
        using var learner = TrainTiny(dir, method);
        var classes = learner.Classes;
        var onnx = learner.ExportOnnx(Path.Combine(dir, "model.onnx"), new OnnxExportOptions
        {
            BatchLayout = OnnxBatchLayout.SingleImage, Height = Size, Width = Size, PixelInput = OnnxPixelInput.PremultipliedArgb, ClassNames = classes,
        });

        var ml = new MLContext(1);
        var pathZip = Path.Combine(dir, "model.zip");
        ml.Model.Save(OnnxScoringPipeline.Create(ml, onnx, classes, Size, resizeMethod: method), ml.Data.LoadFromEnumerable(Array.Empty<PathInput>()).Schema, pathZip);
        var imageZip = Path.Combine(dir, "model-mlimage.zip");
        ml.Model.Save(OnnxScoringPipeline.Create(ml, onnx, classes, Size, imageColumnName: "Image", resizeMethod: method, input: ScoringImageInput.MLImage),
            inputSchema: null, imageZip); // ML.NET cannot write a schema whose only column is an image ("No valid columns to save")

        // model.zip, path input, one Transform over the whole batch.
        var pathModel = ml.Model.Load(pathZip, out _);
        using var pathModelOwner = (IDisposable)pathModel; // deletes ML.NET's temporary ONNX copy
        var batch = ml.Data.LoadFromEnumerable(files.Select(f => new PathInput { ImagePath = f.Path }).ToList());
        var byPath = pathModel.Transform(batch).GetColumn<float[]>("Score").ToList();

        // model.zip, MLImage input, one PredictionEngine call per image (each a fresh MLImage: ML.NET may dispose it).
        var imageModel = ml.Model.Load(imageZip, out _);
        using var imageModelOwner = (IDisposable)imageModel; // deletes ML.NET's temporary ONNX copy
        using var engine = ml.Model.CreatePredictionEngine<ImageInput, ScoreOutput>(imageModel);
        using var session = new InferenceSession(onnx);

        float worst = 0;
        string worstAt = "";
        int disagreements = 0;
        for (int i = 0; i < files.Count; i++)
        {
            var (kind, path) = files[i];
            var expected = learner.Predict(path).Probabilities;
            float[] byImage;
            using (var stream = File.OpenRead(path))
            using (var image = MLImage.CreateFromStream(stream))
                byImage = engine.Predict(new ImageInput { Image = image }).Score.ToArray();
            var byOnnx = RunOnnx(session, path, method);

            var served = new[] { ("model.zip path", byPath[i]), ("model.zip MLImage", byImage), ("model.onnx", byOnnx) };
            var line = $"{method,-6} {kind,-30} p_learner {Format(expected)}";
            foreach (var (name, p) in served)
            {
                var diff = expected.Zip(p, (a, b) => Math.Abs(a - b)).Max();
                if (diff > worst) (worst, worstAt) = (diff, $"{kind} via {name}");
                if (Array.IndexOf(p, p.Max()) != Array.IndexOf(expected, expected.Max())) disagreements++;
                line += $"  {name} {diff:E1}";
            }
            output.WriteLine(line);
        }
        output.WriteLine($"{method}: worst |p_learner - p_served| = {worst:E2} ({worstAt}) over {files.Count} files x 3 served paths");
        Console.WriteLine($"parity {method}: worst |dp| = {worst:E2} ({worstAt}) over {files.Count} files x 3 served paths");
        Assert.Equal(0, disagreements);
        Assert.True(worst <= Tolerance, $"{method}: the served model differs from the learner by {worst} on {worstAt}");
    }

    /// <summary>ML.NET's ResNet18 with a fresh head, trained briefly on opaque and transparent pictures of two classes so its probabilities are not flat.</summary>
    internal static Learner TrainTiny(string dir, ResizeMethod method)
    {
        var train = Directory.CreateDirectory(Path.Combine(dir, "train")).FullName;
        var paths = new List<string>();
        var labels = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            var label = i % 2 == 0 ? "even" : "odd";
            using var bitmap = i % 3 == 0 ? ParityImages.Transparent(40 + i, 48, 100 + i % 2, soft: i % 2 == 0) : ParityImages.Pattern(48, 40 + i, 200 + i % 2);
            var path = Path.Combine(train, $"{label}_{i}.png");
            using (var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100)) File.WriteAllBytes(path, data.ToArray());
            paths.Add(path);
            labels.Add(label);
        }
        var bunch = ImageDataBunch.FromLists(dir, paths, labels, new ImageDataBunchOptions
        {
            Size = Size, BatchSize = 4, ValidPct = 0.25, Seed = 3, ResizeMethod = method, Transforms = TransformOptions.None(), Log = TextWriter.Null,
        });
        var learner = VisionLearner.Create(bunch, Architectures.ResNet18MlNet, new LearnerOptions { Seed = 3, ProgressWriter = null });
        learner.Fit(1, 1e-3); // a small step: confident enough to differ per image, not saturated at 0 and 1
        return learner;
    }

    /// <summary>model.onnx in ONNX Runtime, fed the premultiplied ARGB the learner's decoder computes.</summary>
    private static float[] RunOnnx(InferenceSession session, string path, ResizeMethod method)
    {
        using var pixels = ImageLoader.LoadPremultipliedArgb(path, Size, method);
        var input = new DenseTensor<float>(pixels.data<float>().ToArray(), [1, 4, Size, Size]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExportOptions.DefaultInputName, input)]);
        return results.Single(r => r.Name == OnnxExportOptions.DefaultProbabilitiesName).AsEnumerable<float>().ToArray();
    }

    private static string Format(float[] p) => "[" + string.Join(" ", p.Select(v => v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))) + "]";
}
