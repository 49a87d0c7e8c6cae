// A stock ML.NET consumer: loads a model.zip and predicts with PredictionEngine.
// Usage: StockConsumer model.zip image...            (the model reads an ImagePath text column)
//        StockConsumer --in-memory model.zip image... (the model reads an MLImage column "Image"; files are read as bytes)
// Prints one line per image: path, tab, predicted class name, tab, the Score vector (round-trip formatted, comma-separated).
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

var inMemory = args.Length > 0 && args[0] == "--in-memory";
var rest = inMemory ? args[1..] : args;
if (rest.Length < 2)
{
    Console.Error.WriteLine("usage: StockConsumer [--in-memory] model.zip image [image...]");
    return 2;
}

var mlContext = new MLContext();
var model = mlContext.Model.Load(rest[0], out _);
using var pathEngine = inMemory ? null : mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
using var imageEngine = inMemory ? mlContext.Model.CreatePredictionEngine<InMemoryInput, ModelOutput>(model) : null;

VBuffer<ReadOnlyMemory<char>> classNames = default;
(pathEngine?.OutputSchema ?? imageEngine!.OutputSchema)["PredictedLabel"].GetKeyValues(ref classNames);
var names = classNames.DenseValues().Select(n => n.ToString()).ToArray();

foreach (var path in rest.Skip(1))
{
    ModelOutput output;
    if (imageEngine is null) output = pathEngine!.Predict(new ModelInput { ImagePath = path });
    else
    {
        using var image = MLImage.CreateFromStream(new MemoryStream(File.ReadAllBytes(path)));
        output = imageEngine.Predict(new InMemoryInput { Image = image });
    }
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

/// <summary>The in-memory model's input: an image decoded by ML.NET (ML.NET 5 needs a size in the attribute; any size is accepted).</summary>
public sealed class InMemoryInput
{
    /// <summary>The decoded image.</summary>
    [ImageType(64, 64)]
    public MLImage? Image { get; set; }
}

/// <summary>What the model returns: class probabilities and the predicted class as a key (1-based).</summary>
public sealed class ModelOutput
{
    /// <summary>Probabilities, in the key order of <see cref="PredictedLabel"/>.</summary>
    public float[] Score { get; set; } = [];

    /// <summary>The predicted class as a key: 1 is the first class name.</summary>
    public uint PredictedLabel { get; set; }
}
