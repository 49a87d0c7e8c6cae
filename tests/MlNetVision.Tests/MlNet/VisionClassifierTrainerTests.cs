using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.MlNet;
using MlNetVision.Native;
using MlNetVision.Training;

namespace MlNetVision.Tests.MlNet;

public class VisionClassifierTrainerTests
{
    public VisionClassifierTrainerTests() => NativeBackend.EnsureLoaded();

    private static readonly string[] Classes = ["trouser", "bag", "sneaker"];

    private sealed class Prediction
    {
        public string ImagePath { get; set; } = "";
        public float[] Score { get; set; } = [];
        public string PredictedLabel { get; set; } = "";
    }

    /// <summary>ML.NET's own conversion from a data view schema to the shape estimators take (internal to ML.NET, so reached by reflection).</summary>
    private static SchemaShape ShapeOf(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(DataViewSchema)])!.Invoke(null, [schema])!;

    [Fact]
    public void Should_TrainEvaluateAndRoundTrip_When_UsedInAStockMlNetPipeline()
    {
        var ml = new MLContext(seed: 0);
        var train = ml.Data.LoadFromEnumerable(SampleData.Rows("train", Classes, perClass: 60));
        var test = ml.Data.LoadFromEnumerable(SampleData.Rows("valid", Classes, perClass: 30));
        using var workspace = new TempFolder("trainer");
        var epochs = new List<EpochResult>();
        var trainer = ml.MulticlassClassification.Trainers.VisionClassifier(new VisionClassifierOptions
        {
            ImageSize = 64,
            BatchSize = 16,
            FrozenEpochs = 2,
            UnfrozenEpochs = 1,
            UnfrozenLearningRate = LearningRate.Slice(1e-5, 1e-3),
            WorkspacePath = workspace,
            MetricsCallback = epochs.Add,
        });
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(trainer)
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

        // The schema is known before fitting.
        var shape = pipeline.GetOutputSchema(ShapeOf(train.Schema));
        var score = shape.Single(c => c.Name == "Score");
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, score.Kind);
        Assert.Equal(NumberDataViewType.Single, score.ItemType);
        var predicted = shape.Single(c => c.Name == "PredictedLabel");
        Assert.False(predicted.IsKey);
        Assert.Equal(TextDataViewType.Instance, predicted.ItemType);
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer).GetOutputSchema(ShapeOf(train.Schema)).Single(c => c.Name == "PredictedLabel");
        Assert.True(keyed.IsKey);
        Assert.Contains(keyed.Annotations, a => a.Name == "KeyValues");

        using var model = pipeline.Fit(train);
        Assert.Equal(3, epochs.Count);
        Assert.All(epochs, e => Assert.True(double.IsFinite(e.ValidLoss)));

        var scored = model.Transform(test);
        Assert.Equal(3, ((VectorDataViewType)scored.Schema["Score"].Type).Size);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.True(metrics.MicroAccuracy > 0.8, $"micro accuracy {metrics.MicroAccuracy} (chance is 1/3)");
        Assert.True(metrics.LogLoss < 0.8, $"log-loss {metrics.LogLoss} (uniform guessing is {Math.Log(3):F2})");

        // Class order follows the label's key values: MapValueToKey orders by occurrence, so 'trouser' is key 1.
        var rows = ml.Data.CreateEnumerable<Prediction>(scored, reuseRowObject: false).ToList();
        Assert.All(rows, r => Assert.Equal(Classes[Array.IndexOf(r.Score, r.Score.Max())], r.PredictedLabel));

        // Save/Load with ML.NET predicts the same.
        var zip = Path.Combine(workspace, "model.zip");
        ml.Model.Save(model, train.Schema, zip);
        var loaded = new MLContext().Model.Load(zip, out var inputSchema);
        using var loadedOwner = (IDisposable)loaded; // deletes ML.NET's temporary ONNX copy
        Assert.NotNull(inputSchema.GetColumnOrNull("ImagePath"));
        var again = ml.Data.CreateEnumerable<Prediction>(loaded.Transform(test), reuseRowObject: false).ToList();
        Assert.Equal(rows.Select(r => r.PredictedLabel), again.Select(r => r.PredictedLabel));
        Assert.Equal(rows.Select(r => r.Score), again.Select(r => r.Score));

        // And a PredictionEngine over the loaded model answers single images.
        using var engine = ml.Model.CreatePredictionEngine<SampleData.ImageRow, Prediction>(loaded);
        var one = engine.Predict(new SampleData.ImageRow { ImagePath = rows[0].ImagePath });
        Assert.Equal(rows[0].PredictedLabel, one.PredictedLabel);
    }

    [Fact]
    public void Should_ValidateOnTheGivenRows_When_AValidationSetIsSet()
    {
        var ml = new MLContext(seed: 0);
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(SampleData.Rows("train", Classes, perClass: 20)));
        var train = toKey.Transform(ml.Data.LoadFromEnumerable(SampleData.Rows("train", Classes, perClass: 20)));
        var valid = toKey.Transform(ml.Data.LoadFromEnumerable(SampleData.Rows("valid", Classes, perClass: 5)));
        var epochs = new List<EpochResult>();
        var trainer = ml.MulticlassClassification.Trainers.VisionClassifier(new VisionClassifierOptions
        {
            ImageSize = 32, BatchSize = 16, FrozenEpochs = 1, UnfrozenEpochs = 0, Augmentation = false,
            ValidationSet = valid, MetricsCallback = epochs.Add,
        });
        var model = trainer.Fit(train);
        Assert.Single(epochs);
        // error_rate over 15 validation images can only be a multiple of 1/15.
        var errorRate = epochs[0]["error_rate"];
        Assert.Equal(Math.Round(errorRate * 15), errorRate * 15, 6);
        // Without a workspace the temporary files are gone, and the model still scores: it holds its own copy of the network.
        Assert.Null(trainer.LastOnnxPath);
        var scores = model.Transform(valid).GetColumn<float[]>("Score").ToList();
        Assert.Equal(15, scores.Count);
        Assert.All(scores, s => Assert.Equal(1f, s.Sum(), 3));
    }

    [Fact]
    public void Should_ExplainTheFix_When_TheLabelIsNotAKey()
    {
        var ml = new MLContext(seed: 0);
        var data = ml.Data.LoadFromEnumerable(SampleData.Rows("train", Classes, perClass: 1));
        var trainer = ml.MulticlassClassification.Trainers.VisionClassifier(imageSize: 64);
        var error = Assert.Throws<ArgumentException>(() => trainer.GetOutputSchema(ShapeOf(data.Schema)));
        Assert.Contains("MapValueToKey", error.Message);
        error = Assert.Throws<ArgumentException>(() => trainer.Fit(data));
        Assert.Contains("MapValueToKey", error.Message);
    }

    [Fact]
    public void Should_RefuseAtConstruction_When_TheDeviceIsNotADevice()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new MLContext().MulticlassClassification.Trainers.VisionClassifier(new VisionClassifierOptions { Device = "gpu" }));
        Assert.Contains("Unknown device 'gpu'. Use cpu, cuda, cuda:N or auto.", error.Message);
    }

    [Fact]
    public void Should_DocumentEveryDefault_When_OptionsAreCreated()
    {
        var o = new VisionClassifierOptions();
        Assert.Equal("Label", o.LabelColumnName);
        Assert.Equal("ImagePath", o.ImageColumnName);
        Assert.Null(o.ImageFolder);
        Assert.Equal("Score", o.ScoreColumnName);
        Assert.Equal("PredictedLabel", o.PredictedLabelColumnName);
        Assert.Equal("resnet18-mlnet", o.Architecture);
        Assert.True(o.Pretrained);
        Assert.Null(o.Weights);
        Assert.Equal("auto", o.Device);
        Assert.False(o.AutoBatchSize);
        Assert.Equal(4, o.FrozenEpochs);
        Assert.Equal(LearningRate.Slice(3e-3), o.FrozenLearningRate);
        Assert.Equal(2, o.UnfrozenEpochs);
        Assert.Equal(LearningRate.Auto, o.UnfrozenLearningRate);
        Assert.Equal(0, o.FreezeTo);
        Assert.Equal(100, o.LrFindIterations);
        Assert.False(o.SaveBest);
        Assert.Null(o.ReportPath);
        Assert.Equal(CancellationToken.None, o.CancellationToken);
        Assert.Null(o.Progress);
        Assert.Equal(64, o.BatchSize);
        Assert.Equal(224, o.ImageSize);
        Assert.True(o.Augmentation);
        Assert.Null(o.ValidationSet);
        Assert.Equal(0.2, o.ValidationFraction);
        Assert.Null(o.EarlyStoppingPatience);
        Assert.Null(o.MetricsCallback);
        Assert.Null(o.WorkspacePath);
        Assert.Null(o.Seed);
        Assert.Null(o.ProgressWriter);
        Assert.Null(o.LabelSmoothing);
        Assert.Null(o.MixUpAlpha);
        Assert.Null(o.CutMixAlpha);
        Assert.Null(o.AccumulateSamples);
        Assert.False(o.MixedPrecision);
        // The estimator's recipe defaults are the recipe's own.
        var recipe = new FineTuneOptions();
        Assert.Equal((recipe.FrozenEpochs, recipe.UnfrozenEpochs, recipe.FrozenLearningRate, recipe.UnfrozenLearningRate, recipe.FreezeTo, recipe.LrFindIterations),
            (o.FrozenEpochs, o.UnfrozenEpochs, o.FrozenLearningRate, o.UnfrozenLearningRate, o.FreezeTo, o.LrFindIterations));
        Assert.Equal((recipe.LabelSmoothing, recipe.MixUpAlpha, recipe.CutMixAlpha, recipe.AccumulateSamples),
            (o.LabelSmoothing, o.MixUpAlpha, o.CutMixAlpha, o.AccumulateSamples));
    }
}
