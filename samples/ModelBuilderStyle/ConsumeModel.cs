using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace ModelBuilderStyle;

/// <summary>
/// The consumption class Model Builder generates over a saved <c>MLModel.zip</c>: one lazily created
/// <see cref="PredictionEngine{TSrc, TDst}"/> and a <see cref="Predict"/> method taking the image bytes. It uses ML.NET
/// only — the zip holds stock ML.NET transformers and the ONNX network, so this file works unchanged in an app without
/// MlNetVision. No temp file: the bytes become ML.NET's in-memory <see cref="MLImage"/>.
/// </summary>
public static class ConsumeModel
{
    /// <summary>Where the model is read from.</summary>
    public static string MLNetModelPath { get; set; } = Path.GetFullPath("MLModel.zip");

    private static readonly Lazy<PredictionEngine<ImageInput, ModelOutput>> PredictionEngine = new(CreatePredictionEngine, isThreadSafe: true);

    /// <summary>Predicts the class of one image.</summary>
    public static ModelOutput Predict(ModelInput input)
    {
        using var image = Decode(input);
        return PredictionEngine.Value.Predict(new ImageInput { ImageSource = image });
    }

    /// <summary>Every class with its probability, most probable first.</summary>
    public static IOrderedEnumerable<KeyValuePair<string, float>> PredictAllLabels(ModelInput input)
    {
        var engine = PredictionEngine.Value;
        using var image = Decode(input);
        var result = engine.Predict(new ImageInput { ImageSource = image });
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        engine.OutputSchema["Score"].GetSlotNames(ref slotNames);
        return slotNames.DenseValues().Select((name, i) => new KeyValuePair<string, float>(name.ToString(), result.Score[i]))
            .OrderByDescending(pair => pair.Value);
    }

    /// <summary>ML.NET's own decoder (SkiaSharp); throws <see cref="ArgumentException"/> for bytes that are not an image.</summary>
    private static MLImage Decode(ModelInput input) => MLImage.CreateFromStream(new MemoryStream(input.ImageSource, writable: false));

    private static PredictionEngine<ImageInput, ModelOutput> CreatePredictionEngine()
    {
        var mlContext = new MLContext();
        var mlModel = mlContext.Model.Load(MLNetModelPath, out _);
        return mlContext.Model.CreatePredictionEngine<ImageInput, ModelOutput>(mlModel);
    }

    /// <summary>What the model reads: the decoded image under the training column's name.</summary>
    public sealed class ImageInput
    {
        /// <summary>The decoded image (ML.NET 5 needs a size in the attribute; any image size is accepted, the model resizes).</summary>
        [ImageType(64, 64)]
        public MLImage? ImageSource { get; set; }
    }
}
