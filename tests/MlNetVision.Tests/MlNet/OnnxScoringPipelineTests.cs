using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.MlNet;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.MlNet;

public class OnnxScoringPipelineTests
{
    public OnnxScoringPipelineTests() => NativeBackend.EnsureLoaded();

    internal static readonly string[] TenClasses = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"];

    public sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
    }

    public sealed class ScoredRow
    {
        public float[] Score { get; set; } = [];
        public string PredictedLabel { get; set; } = "";
    }

    private static IDataView ToLabelNames(MLContext ml, IDataView scored) =>
        ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(scored).Transform(scored);

    [Fact]
    public void Should_GiveTorchSharpsProbabilities_When_MlNetScoresAnImageAtTheNetworksSize()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var model = VisionModel.Create(Architectures.ResNet18MlNet, 10, pretrained: true);
        model.eval();
        float[] expected;
        using (no_grad()) expected = nn.functional.softmax(model.forward(TestImages.FashionGrid()), 1).data<float>().ToArray();

        using var dir = new TempFolder("scoring");
        var onnx = OnnxExporter.Export(model, Path.Combine(dir, "model.onnx"),
            new OnnxExportOptions { BatchLayout = OnnxBatchLayout.SingleImage, Height = 224, Width = 224, ClassNames = TenClasses });
        var ml = new MLContext(seed: 1);
        using var transformer = OnnxScoringPipeline.Create(ml, onnx, TenClasses, 224);
        File.Delete(onnx); // the transformer holds its own copy
        var data = ml.Data.LoadFromEnumerable([new ImageRow { ImagePath = TestImages.Path("fashion-mnist-grid-224.png") }]);
        var scored = ToLabelNames(ml, transformer.Transform(data));

        Assert.Equal(["ImagePath", "Score", "PredictedLabel"], transformer.Transform(data).Schema.Where(c => !c.IsHidden).Select(c => c.Name));
        var row = ml.Data.CreateEnumerable<ScoredRow>(scored, reuseRowObject: false).Single();
        Assert.Equal(10, row.Score.Length);
        var maxDiff = expected.Zip(row.Score, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1e-4f, $"ML.NET's Score differs from TorchSharp's probabilities by {maxDiff}");
        Assert.Equal(TenClasses[Array.IndexOf(expected, expected.Max())], row.PredictedLabel);

        // The key column carries the class names as key values, in output order.
        var keyColumn = transformer.Transform(data).Schema["PredictedLabel"];
        Assert.IsType<KeyDataViewType>(keyColumn.Type);
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        keyColumn.GetKeyValues(ref keyValues);
        Assert.Equal(TenClasses, keyValues.DenseValues().Select(v => v.ToString()));

        // The Score column names its slots after the classes, as ML.NET's own multiclass trainers do.
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        transformer.Transform(data).Schema["Score"].GetSlotNames(ref slotNames);
        Assert.Equal(TenClasses, slotNames.DenseValues().Select(v => v.ToString()));

        // Save and load with ML.NET alone: the ONNX travels inside the zip.
        var zip = Path.Combine(dir, "model.zip");
        ml.Model.Save(transformer, data.Schema, zip);
        var loaded = new MLContext().Model.Load(zip, out _);
        using var loadedOwner = (IDisposable)loaded; // deletes ML.NET's temporary ONNX copy
        var again = ml.Data.CreateEnumerable<ScoredRow>(ToLabelNames(ml, loaded.Transform(data)), reuseRowObject: false).Single();
        Assert.Equal(row.Score, again.Score);
        Assert.Equal(row.PredictedLabel, again.PredictedLabel);
    }

    [Fact]
    public void Should_RejectTheFile_When_ItWasExportedWithADynamicBatch()
    {
        using var scope = NewDisposeScope();
        var model = VisionModel.Create(Architectures.ResNet18, 3, pretrained: false);
        using var dir = new TempFolder("scoring");
        var onnx = OnnxExporter.Export(model, Path.Combine(dir, "model.onnx"));
        var error = Assert.Throws<ArgumentException>(() => OnnxScoringPipeline.Create(new MLContext(), onnx, ["a", "b", "c"], 64));
        Assert.Contains("SingleImage", error.Message);
    }
}
