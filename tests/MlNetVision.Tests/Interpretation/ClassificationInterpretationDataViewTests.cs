using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.Interpretation;
using SkiaSharp;

namespace MlNetVision.Tests.Interpretation;

public sealed class ClassificationInterpretationDataViewTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "mlnv-interp-dv-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private sealed class ShapeRow
    {
        public string Label { get; set; } = "";
        public string ImagePath { get; set; } = "";
        [VectorType(144)] public float[] Features { get; set; } = [];
    }

    /// <summary>Trains a real ML.NET multiclass classifier on thumbnails of drawn shapes and scores a held-out set.</summary>
    private (MLContext Ml, IDataView Scored, int Count) TrainAndScore()
    {
        var ml = new MLContext(seed: 7);
        ShapeRow Row((string Path, int Label) item) =>
            new() { Label = ShapeImages.Classes[item.Label], ImagePath = item.Path, Features = ShapeImages.Features(item.Path) };
        var train = ShapeImages.Write(Path.Combine(_folder, "train"), perClass: 12, seed: 1).Select(Row).ToList();
        var valid = ShapeImages.Write(Path.Combine(_folder, "valid"), perClass: 10, seed: 2).Select(Row).ToList();
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 20));
        var model = pipeline.Fit(ml.Data.LoadFromEnumerable(train));
        return (ml, model.Transform(ml.Data.LoadFromEnumerable(valid)), valid.Count);
    }

    [Fact]
    public void Should_AgreeWithMlNetEvaluator_When_ReadFromScoredDataView()
    {
        var (ml, scored, count) = TrainAndScore();
        var interp = ClassificationInterpretation.FromDataView(scored);
        var metrics = ml.MulticlassClassification.Evaluate(scored);

        Assert.Equal(count, interp.Count);
        // Key values are sorted by first appearance: the training set lists circles, squares, triangles in that order.
        Assert.Equal(ShapeImages.Classes, interp.Classes);
        var cm = interp.ConfusionMatrix();
        for (int a = 0; a < 3; a++)
            for (int p = 0; p < 3; p++)
                Assert.Equal(metrics.ConfusionMatrix.Counts[a][p], (double)cm[a, p]);
        Assert.Equal(metrics.MicroAccuracy, interp.Accuracy(), 12);
        Assert.Equal(metrics.LogLoss, interp.MeanLoss(), 4);
        var perClass = interp.PerClassMetrics();
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(metrics.ConfusionMatrix.PerClassPrecision[k], perClass[k].Precision, 12);
            Assert.Equal(metrics.ConfusionMatrix.PerClassRecall[k], perClass[k].Recall, 12);
        }
    }

    [Fact]
    public void Should_LoadItemImages_When_DataViewHasImagePathColumn()
    {
        var (_, scored, _) = TrainAndScore();
        var interp = ClassificationInterpretation.FromDataView(scored);
        Assert.NotNull(interp.Items);
        Assert.EndsWith("circle_000.png", interp.Items!.Path(0));
        using var image = SKBitmap.Decode(interp.Items.Load(interp.Count - 1));
        Assert.Equal(48, image.Width);
        Assert.Equal(2, interp.Targets[^1]);
    }

    [Fact]
    public void Should_ReadTextLabels_When_LabelColumnIsText()
    {
        var (ml, scored, _) = TrainAndScore();
        var withText = ml.Transforms.Conversion.MapKeyToValue("LabelText", "Label").Fit(scored).Transform(scored);
        var fromKey = ClassificationInterpretation.FromDataView(scored);
        var fromText = ClassificationInterpretation.FromDataView(withText, new InterpretationColumns { LabelColumnName = "LabelText" });
        Assert.Equal(fromKey.Targets, fromText.Targets);
        Assert.Equal(fromKey.ConfusionMatrix(), fromText.ConfusionMatrix());
    }

    [Fact]
    public void Should_DecodeImageBytes_When_ImageBytesColumnIsSet()
    {
        var (ml, scored, _) = TrainAndScore();
        var withBytes = ml.Transforms.LoadRawImageBytes("ImageBytes", imageFolder: null, inputColumnName: "ImagePath").Fit(scored).Transform(scored);
        var interp = ClassificationInterpretation.FromDataView(withBytes, new InterpretationColumns { ImageBytesColumnName = "ImageBytes" });
        Assert.NotNull(interp.Items);
        Assert.Null(interp.Items!.Path(0)); // images come from memory, not from paths
        var fromFile = File.ReadAllBytes(ClassificationInterpretation.FromDataView(scored).Items!.Path(3)!);
        Assert.Equal(fromFile, interp.Items.Load(3));
    }

    [Fact]
    public void Should_PredictArgMaxOfScores_When_PredictedLabelColumnIsAbsent()
    {
        var (ml, scored, _) = TrainAndScore();
        var withoutPrediction = ml.Transforms.DropColumns("PredictedLabel").Fit(scored).Transform(scored);
        var interp = ClassificationInterpretation.FromDataView(withoutPrediction);
        Assert.Equal(ClassificationInterpretation.FromDataView(scored).Predicted, interp.Predicted);
    }

    [Fact]
    public void Should_ThrowNamingColumns_When_ScoreColumnIsMissing()
    {
        var (_, scored, _) = TrainAndScore();
        var ex = Assert.Throws<ArgumentException>(() =>
            ClassificationInterpretation.FromDataView(scored, new InterpretationColumns { ScoreColumnName = "Probabilities" }));
        Assert.Contains("Probabilities", ex.Message);
        Assert.Contains("Score", ex.Message);
    }
}
