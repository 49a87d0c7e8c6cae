using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.MlNet;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Onnx;
using static TorchSharp.torch;

namespace MlNetVision.Tests.MlNet;

/// <summary>
/// Proves a model.zip saved by <c>mlContext.Model.Save</c> runs in an app that references only stock ML.NET packages:
/// builds tests/StockConsumer (Microsoft.ML, ImageAnalytics, OnnxTransformer, OnnxRuntime — no MlNetVision, no
/// TorchSharp) in a temporary folder, runs it on real images (one transparent) from paths and from in-memory MLImages, and
/// compares its output with this library's predictions.
/// </summary>
public class StockConsumerTests
{
    public StockConsumerTests() => NativeBackend.EnsureLoaded();

    private sealed class Output
    {
        public float[] Score { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }

    [Fact]
    public void Should_PredictLikeTheLibrary_When_AStockMlNetAppLoadsTheSavedZip()
    {
        string[] classes = ["bag", "sandal", "trouser"];
        using var dir = new TempFolder("consumer");
        // A model: ML.NET's pretrained ResNet18 with a fresh head, exported and wrapped in stock transformers.
        string zip;
        var images = SampleData.Rows("valid", classes, perClass: 2).Select(r => r.ImagePath).ToList();
        using (var icon = MlNetVision.Tests.Data.ParityImages.Transparent(50, 40, 7, soft: true))
        using (var png = icon.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100))
        {
            images.Add(Path.Combine(dir, "transparent-icon.png")); // what the library's models are for: alpha onto white in the graph
            File.WriteAllBytes(images[^1], png.ToArray());
        }
        var ml = new MLContext(seed: 1);
        using (var scope = NewDisposeScope())
        {
            manual_seed(5);
            var model = VisionModel.Create(Architectures.ResNet18MlNet, classes.Length, pretrained: true);
            var onnx = OnnxExporter.Export(model, Path.Combine(dir, "model.onnx"),
                new OnnxExportOptions { BatchLayout = OnnxBatchLayout.SingleImage, Height = 64, Width = 64, PixelInput = OnnxPixelInput.PremultipliedArgb });
            using var transformer = OnnxScoringPipeline.Create(ml, onnx, classes, 64);
            var schema = ml.Data.LoadFromEnumerable(new List<OnnxScoringPipelineTests.ImageRow>()).Schema;
            zip = Path.Combine(dir, "model.zip");
            ml.Model.Save(transformer, schema, zip);
            using var inMemory = OnnxScoringPipeline.Create(ml, onnx, classes, 64, imageColumnName: "Image", input: ScoringImageInput.MLImage);
            ml.Model.Save(inMemory, null, Path.Combine(dir, "model-mlimage.zip"));
        }

        // The library's own predictions from the same zip.
        var loaded = ml.Model.Load(zip, out _);
        using var loadedOwner = (IDisposable)loaded; // deletes ML.NET's temporary ONNX copy
        using var engine = ml.Model.CreatePredictionEngine<OnnxScoringPipelineTests.ImageRow, Output>(loaded);
        var expected = images.Select(p => engine.Predict(new OnnxScoringPipelineTests.ImageRow { ImagePath = p })).ToList();

        var project = Path.Combine(dir, "consumer");
        Directory.CreateDirectory(project);
        foreach (var file in new[] { "StockConsumer.csproj", "Program.cs" })
            File.Copy(Path.Combine(SampleData.RepositoryRoot(), "tests", "StockConsumer", file), Path.Combine(project, file));
        Run("dotnet", ["build", project, "-c", "Release", "-o", Path.Combine(project, "out"), "-nologo", "-v", "q"], dir);
        var deployed = Directory.GetFiles(Path.Combine(project, "out"), "*.dll").Select(Path.GetFileName).ToList();
        Assert.Contains("Microsoft.ML.OnnxTransformer.dll", deployed);
        Assert.DoesNotContain(deployed, f => f!.StartsWith("MlNetVision", StringComparison.Ordinal) || f.StartsWith("TorchSharp", StringComparison.Ordinal));

        foreach (var args in new[] { new[] { zip }, ["--in-memory", Path.Combine(dir, "model-mlimage.zip")] })
        {
            var lines = Run("dotnet", [Path.Combine(project, "out", "StockConsumer.dll"), .. args, .. images], dir)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(images.Count, lines.Length);
            for (int i = 0; i < images.Count; i++)
            {
                var fields = lines[i].Split('\t');
                Assert.Equal(images[i], fields[0]);
                Assert.Equal(classes[expected[i].PredictedLabel - 1], fields[1]);
                var scores = fields[2].Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                Assert.Equal(expected[i].Score, scores);
            }
        }
    }

    private static string Run(string fileName, IEnumerable<string> arguments, string workingDirectory) =>
        TestProcess.RunOk(fileName, arguments, workingDirectory);
}
