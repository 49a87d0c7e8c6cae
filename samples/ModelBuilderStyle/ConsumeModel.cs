using Microsoft.ML;
using Microsoft.ML.Data;

namespace ModelBuilderStyle;

/// <summary>
/// The consumption class Model Builder generates over a saved <c>MLModel.zip</c>: one lazily created
/// <see cref="PredictionEngine{TSrc, TDst}"/> and a <see cref="Predict"/> method. It uses ML.NET only — the zip holds
/// stock ML.NET transformers and the ONNX network, so this file works unchanged in an app without MlNetVision.
/// </summary>
public static class ConsumeModel
{
    /// <summary>Where the model is read from.</summary>
    public static string MLNetModelPath { get; set; } = Path.GetFullPath("MLModel.zip");

    private static readonly Lazy<PredictionEngine<ModelInput, ModelOutput>> PredictionEngine = new(CreatePredictionEngine, isThreadSafe: true);

    /// <summary>Predicts the class of one image.</summary>
    public static ModelOutput Predict(ModelInput input) => PredictionEngine.Value.Predict(input);

    /// <summary>Every class with its probability, most probable first.</summary>
    public static IOrderedEnumerable<KeyValuePair<string, float>> PredictAllLabels(ModelInput input)
    {
        var engine = PredictionEngine.Value;
        var result = engine.Predict(input);
        VBuffer<ReadOnlyMemory<char>> slotNames = default;
        engine.OutputSchema["Score"].GetSlotNames(ref slotNames);
        return slotNames.DenseValues().Select((name, i) => new KeyValuePair<string, float>(name.ToString(), result.Score[i]))
            .OrderByDescending(pair => pair.Value);
    }

    private static PredictionEngine<ModelInput, ModelOutput> CreatePredictionEngine()
    {
        var mlContext = new MLContext();
        var mlModel = mlContext.Model.Load(MLNetModelPath, out _);
        return mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(mlModel);
    }
}
