using Microsoft.ML;
using MlNetVision;
using MlNetVision.IO;
using MlNetVision.MlNet;

namespace WebApi;

/// <summary>The model served when no <c>Serving:ModelPath</c> is given: trained once on the committed Fashion-MNIST sample.</summary>
public static class SampleModel
{
    /// <summary>The side images are resized to: small, so the first run trains in about a minute on a CPU.</summary>
    public const int ImageSize = 48;

    /// <summary>Where the sample's model is kept: next to the program.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "model.zip");

    /// <summary>Trains the sample's model into <paramref name="modelPath"/> unless the file exists.</summary>
    /// <param name="modelPath">The model.zip to write (atomically).</param>
    /// <param name="log">Told before training starts; <see langword="null"/> for silence.</param>
    /// <returns><paramref name="modelPath"/>.</returns>
    /// <exception cref="DirectoryNotFoundException">The committed sample is not found above the program's folder.</exception>
    public static string EnsureTrained(string modelPath, Action<string>? log = null)
    {
        if (File.Exists(modelPath)) return modelPath;
        var train = Path.Combine(SampleData.Find("set Serving:ModelPath to a model.zip."), "train");
        log?.Invoke($"No model at {modelPath}: training one on {train} ({ImageSize} px, about a minute)...");
        var ml = new MLContext(seed: 1);
        var rows = Directory.GetDirectories(train).Order(StringComparer.Ordinal).SelectMany(classDir =>
            Directory.GetFiles(classDir).Order(StringComparer.Ordinal).Select(file => new LabelledImage { ImagePath = file, Label = Path.GetFileName(classDir) }));
        var data = ml.Data.LoadFromEnumerable(rows.ToList());
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.VisionClassifier(frozenEpochs: 2, unfrozenEpochs: 0, imageSize: ImageSize, batchSize: 32, seed: 1))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(data);
        return AtomicFile.Write(modelPath, stream => ml.Model.Save(model, data.Schema, stream));
    }

    /// <summary>A training row: image path and class name.</summary>
    private sealed class LabelledImage
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }
}
