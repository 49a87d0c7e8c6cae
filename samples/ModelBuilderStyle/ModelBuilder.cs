using Microsoft.ML;
using MlNetVision.MlNet;

namespace ModelBuilderStyle;

/// <summary>The training half Model Builder generates (<c>MLModel.training.cs</c>): the pipeline and the code that trains and saves it.</summary>
public static class ModelBuilder
{
    /// <summary>Trains on the class folders under <paramref name="trainFolder"/> and saves the model to <paramref name="modelPath"/>.</summary>
    public static void CreateModel(string trainFolder, string modelPath)
    {
        var mlContext = new MLContext(seed: 1);
        var rows = Directory.GetDirectories(trainFolder).Order(StringComparer.Ordinal).SelectMany(classDir =>
            Directory.GetFiles(classDir).Order(StringComparer.Ordinal).Select(file => new ModelInput { ImageSource = File.ReadAllBytes(file), Label = Path.GetFileName(classDir) }));
        var trainingData = mlContext.Data.LoadFromEnumerable(rows.ToList());
        var model = BuildPipeline(mlContext).Fit(trainingData);
        // Trained on bytes, the model reads an MLImage column named ImageSource. ML.NET cannot write an input schema holding
        // an image column, so the zip is saved without one (ConsumeModel's input class says it).
        mlContext.Model.Save(model, null, modelPath);
    }

    /// <summary>The training pipeline: label to key, MlNetVision's transfer-learning trainer, key back to the class name.</summary>
    public static IEstimator<ITransformer> BuildPipeline(MLContext mlContext) =>
        mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.MulticlassClassification.Trainers.VisionClassifier(
                labelColumnName: "Label", imageColumnName: "ImageSource", epochs: 3, fineTuneEpochs: 0, imageSize: 64, batchSize: 32, seed: 1))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
}
