using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.MlNet;

namespace ModelBuilderStyle;

/// <summary>The training half Model Builder generates (<c>MLModel.training.cs</c>): the pipeline and the code that trains and saves it.</summary>
public static class ModelBuilder
{
    /// <summary>Trains on the class folders under <paramref name="trainFolder"/> (read into memory as bytes) and saves the model to <paramref name="modelPath"/>.</summary>
    public static void CreateModel(string trainFolder, string modelPath)
    {
        var mlContext = new MLContext(seed: 1);
        var rows = Directory.GetDirectories(trainFolder).Order(StringComparer.Ordinal).SelectMany(classDir =>
            Directory.GetFiles(classDir).Order(StringComparer.Ordinal).Select(file => new ModelInput { ImageSource = File.ReadAllBytes(file), Label = Path.GetFileName(classDir) }));
        var trainingData = mlContext.Data.LoadFromEnumerable(rows.ToList());

        // Trained on bytes, the model reads an in-memory MLImage column named ImageSource. No stock transformer decodes
        // bytes, and EstimatorChain.Fit runs every fitted step on the training rows, so the steps are fitted one by one.
        var keyed = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(trainingData);
        var scorer = CreateTrainer(mlContext).Fit(keyed.Transform(trainingData));
        var images = mlContext.Data.LoadFromEnumerable(Array.Empty<ConsumeModel.ImageInput>());
        var toClassName = mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(scorer.Transform(images));
        using var model = new TransformerChain<ITransformer>(scorer, toClassName); // disposing deletes ML.NET's temporary ONNX copy

        // ML.NET cannot write an input schema holding an image column, so the zip is saved without one
        // (ConsumeModel.ImageInput says what it reads).
        mlContext.Model.Save(model, null, modelPath);
    }

    /// <summary>MlNetVision's transfer-learning trainer, reading the encoded images of the ImageSource column.</summary>
    public static VisionClassifierTrainer CreateTrainer(MLContext mlContext) =>
        mlContext.MulticlassClassification.Trainers.VisionClassifier(
            labelColumnName: "Label", imageColumnName: "ImageSource", frozenEpochs: 3, unfrozenEpochs: 0, imageSize: 64, batchSize: 32, seed: 1);
}
