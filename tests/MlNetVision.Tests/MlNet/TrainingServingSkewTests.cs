using Microsoft.ML;
using MlNetVision.Data;
using MlNetVision.MlNet;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Onnx;
using MlNetVision.Training;
using Xunit.Abstractions;

namespace MlNetVision.Tests.MlNet;

/// <summary>
/// The ML.NET model loads and resizes with ML.NET's own image transforms while the learner uses the data side's loader;
/// both end up on SkiaSharp with a centre crop, and this checks they give the same probabilities on real images, so a
/// training/serving preprocessing mismatch cannot creep in unnoticed.
/// </summary>
public class TrainingServingSkewTests(ITestOutputHelper output)
{
    private sealed class Output
    {
        public float[] Score { get; set; } = [];
    }

    [Theory]
    [InlineData(28)]  // the images' own size
    [InlineData(64)]  // upscaled
    public void Should_AgreeWithLearnerPredict_When_MlNetScoresTheSameImages(int size)
    {
        NativeBackend.EnsureLoaded();
        string[] classes = ["coat", "pullover", "shirt"];
        var rows = SampleData.Rows("train", classes, perClass: 8);
        using var dir = new TempFolder("skew");
        using var data = ImageDataBunch.FromLists(dir, rows.Select(r => r.ImagePath), rows.Select(r => r.Label),
            new ImageDataBunchOptions { Size = size, BatchSize = 8, Log = TextWriter.Null });
        using var learner = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });
        learner.Fit(1, 1e-3);
        var onnx = learner.ExportOnnx("model.onnx", new OnnxExportOptions { BatchLayout = OnnxBatchLayout.SingleImage, Height = size, Width = size });
        var ml = new MLContext(1);
        using var model = OnnxScoringPipeline.Create(ml, onnx, learner.Classes, size);
        using var engine = ml.Model.CreatePredictionEngine<OnnxScoringPipelineTests.ImageRow, Output>(model);

        var images = SampleData.Rows("valid", classes, perClass: 4).Select(r => r.ImagePath).ToList();
        float maxDiff = 0;
        int agree = 0;
        foreach (var path in images)
        {
            var ours = learner.Predict(path).Probabilities;
            var theirs = engine.Predict(new OnnxScoringPipelineTests.ImageRow { ImagePath = path }).Score;
            maxDiff = Math.Max(maxDiff, ours.Zip(theirs, (a, b) => Math.Abs(a - b)).Max());
            if (Array.IndexOf(ours, ours.Max()) == Array.IndexOf(theirs, theirs.Max())) agree++;
        }
        output.WriteLine($"size {size}: max |p_learner - p_mlnet| = {maxDiff:E2}, argmax agreement {agree}/{images.Count}");
        Assert.Equal(images.Count, agree);
        Assert.True(maxDiff <= 1e-4f, $"the learner and the ML.NET model see different pixels: probabilities differ by {maxDiff}");
    }
}
