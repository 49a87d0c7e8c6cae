// A stock ML.NET consumer: loads a model.zip and predicts with PredictionEngine. Usage: StockConsumer model.zip image...
// Prints one line per image: path, tab, predicted class name, tab, the Score vector (round-trip formatted, comma-separated).
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: StockConsumer model.zip image [image...]");
    return 2;
}

var mlContext = new MLContext();
var model = mlContext.Model.Load(args[0], out _);
using var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);

VBuffer<ReadOnlyMemory<char>> classNames = default;
engine.OutputSchema["PredictedLabel"].GetKeyValues(ref classNames);
var names = classNames.DenseValues().Select(n => n.ToString()).ToArray();

foreach (var path in args.Skip(1))
{
    var output = engine.Predict(new ModelInput { ImagePath = path });
    var scores = string.Join(",", output.Score.Select(s => s.ToString("R", CultureInfo.InvariantCulture)));
    Console.WriteLine($"{path}\t{names[output.PredictedLabel - 1]}\t{scores}");
}
return 0;

/// <summary>The model's input: a path to an image file.</summary>
public sealed class ModelInput
{
    /// <summary>Path to the image.</summary>
    public string ImagePath { get; set; } = "";
}

/// <summary>What the model returns: class probabilities and the predicted class as a key (1-based).</summary>
public sealed class ModelOutput
{
    /// <summary>Probabilities, in the key order of <see cref="PredictedLabel"/>.</summary>
    public float[] Score { get; set; } = [];

    /// <summary>The predicted class as a key: 1 is the first class name.</summary>
    public uint PredictedLabel { get; set; }
}
