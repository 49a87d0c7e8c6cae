// Image classification the ML.NET way: train → evaluate → interpret → save → load → PredictionEngine, with MlNetVision's
// VisionClassifier trainer inside an ordinary ML.NET pipeline. Training is fastai lesson 1's recipe: the head with the
// body frozen, unfreeze, the learning-rate finder picks the unfrozen phase's rate (LearningRate.Auto), the whole network.
// Default data: the committed Fashion-MNIST sample (10 classes, 100 train + 30 test images each) at 64 px, so it runs
// in a few minutes on a CPU. Usage: dotnet run --project samples/MlNetPipeline [-- /path/to/folder-with-train-and-valid]
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.Interpretation;
using MlNetVision.MlNet;
using MlNetVision.Rendering;
using MlNetVision.Training;

var root = args.Length > 0 ? args[0] : SampleData.Find("pass a folder with train/ and valid/ class folders.");
var mlContext = new MLContext(seed: 1);
// The trainer logs to the context, as ML.NET trainers do: its steps, each epoch, the learning rate chosen, skipped files.
mlContext.Log += (_, e) =>
{
    if (e.Kind != Microsoft.ML.Runtime.ChannelMessageKind.Trace && e.Source.StartsWith(VisionClassifierTrainer.RegistrationName, StringComparison.Ordinal))
        Console.WriteLine($"[{e.Kind}] {e.RawMessage}");
};

// 1. Load: one row per image file, labelled by its folder name.
IEnumerable<ImageData> ImagesUnder(string folder) =>
    Directory.GetDirectories(folder).Order(StringComparer.Ordinal).SelectMany(classDir =>
        Directory.GetFiles(classDir).Order(StringComparer.Ordinal).Select(file => new ImageData { ImagePath = file, Label = Path.GetFileName(classDir) }));
var trainData = mlContext.Data.LoadFromEnumerable(ImagesUnder(Path.Combine(root, "train")).ToList());
var testData = mlContext.Data.LoadFromEnumerable(ImagesUnder(Path.Combine(root, "valid")).ToList());

// 2. Pipeline: label to key → fastai-style transfer learning (ML.NET's pretrained ResNet18) → key back to text.
var reportPath = Path.Combine(AppContext.BaseDirectory, "report.html");
var trainer = mlContext.MulticlassClassification.Trainers.VisionClassifier(new VisionClassifierOptions
{
    ImageSize = 64,
    BatchSize = 32,
    FrozenEpochs = 3,
    UnfrozenEpochs = 1,
    UnfrozenLearningRate = LearningRate.Auto, // the default: the LR finder runs after unfreezing
    ReportPath = reportPath,                  // the same HTML report as `mlnet-vision train`
});
var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
    .Append(trainer)
    .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

// 3. Train.
Console.WriteLine("Training...");
// The fitted model owns ML.NET's temporary copy of the ONNX network; disposing it deletes the copy.
using var model = pipeline.Fit(trainData);
var record = trainer.LastFineTune!;
Console.WriteLine($"Unfrozen phase at {record.Unfrozen!.LearningRate} (finder's valley {record.LrFind!.Valley:0.00e+00}); " +
    $"it {(record.UnfrozenBeatFrozen == true ? "lowered" : "did not lower")} valid_loss. Report: {trainer.LastReportPath}");

// 4. Evaluate on the held-out images, and look at what the model gets wrong.
var scored = model.Transform(testData);
var metrics = mlContext.MulticlassClassification.Evaluate(scored);
Console.WriteLine($"MicroAccuracy: {metrics.MicroAccuracy:F3}, MacroAccuracy: {metrics.MacroAccuracy:F3}, LogLoss: {metrics.LogLoss:F3}");
var interpretation = ClassificationInterpretation.FromDataView(scored);
Console.Write(InterpretationTextTables.MostConfused(interpretation, minVal: 2));

// 5. Save: a plain ML.NET zip (the ONNX network is inside); any ML.NET app can load it without MlNetVision.
var modelPath = Path.Combine(AppContext.BaseDirectory, "model.zip");
mlContext.Model.Save(model, trainData.Schema, modelPath);
Console.WriteLine($"Saved {modelPath}");

// 6. Load and predict single images with a PredictionEngine.
var loaded = mlContext.Model.Load(modelPath, out _);
using var loadedOwner = (IDisposable)loaded; // a loaded model holds a temporary ONNX copy too
using var engine = mlContext.Model.CreatePredictionEngine<ImageData, ImagePrediction>(loaded);
foreach (var image in ImagesUnder(Path.Combine(root, "valid")).Where((_, i) => i % 60 == 0))
{
    var prediction = engine.Predict(image);
    Console.WriteLine($"{Path.GetFileName(image.ImagePath)}: actual {image.Label}, predicted {prediction.PredictedLabel} ({prediction.Score.Max():P0})");
}

// Sample output (2 CPU cores, about 1.5 minutes of CPU time; paths shortened):
// Training...
// [Info] workspace /tmp/MlNetVision/18dfdf637d624a489768d963c79d1e83
// [Info] seed 1660218241 (from the MLContext)
// [Info] 800 training and 200 validation images, 10 classes, 64 px, resnet18-mlnet
// [Info] frozen phase: fit_one_cycle(3, slice(0.003)), body frozen
// [Info] frozen phase epoch 0: train_loss 2.532272, valid_loss 1.118428, error_rate 0.385000, time 00:04
// [Info] frozen phase epoch 1: train_loss 1.886635, valid_loss 0.964601, error_rate 0.275000, time 00:04
// [Info] frozen phase epoch 2: train_loss 1.537116, valid_loss 0.873845, error_rate 0.285000, time 00:04
// [Info] learning-rate finder: lr_find(num_it=100), whole network
// [Info] learning-rate finder: 85 iterations, valley 2.29e-04, steepest 5.25e-07, min/10 6.31e-08; learning rate chosen for the unfrozen phase: slice(2.291E-06, 0.0002291)
// [Info] unfrozen phase: fit_one_cycle(1, slice(2.291E-06, 0.0002291)), whole network
// [Info] unfrozen phase epoch 0: train_loss 1.213831, valid_loss 0.833319, error_rate 0.290000, time 00:08
// [Info] report .../bin/Release/net10.0/report.html
// Unfrozen phase at slice(2.291E-06, 0.0002291) (finder's valley 2.29e-04); it lowered valid_loss. Report: .../report.html
// MicroAccuracy: 0.703, MacroAccuracy: 0.703, LogLoss: 0.954
// actual      predicted   count
// -----------------------------
// coat        shirt           9
// dress       shirt           7
// ...
// Saved .../bin/Release/net10.0/model.zip
// t10k_00000.png: actual ankle_boot, predicted ankle_boot (98 %)
// t10k_00006.png: actual coat, predicted trouser (42 %)
// t10k_00001.png: actual pullover, predicted pullover (99 %)
// t10k_00004.png: actual shirt, predicted shirt (99 %)
// t10k_00002.png: actual trouser, predicted trouser (100 %)

/// <summary>One image: its path and, for training and evaluation, its class.</summary>
public sealed class ImageData
{
    /// <summary>Path of the image file.</summary>
    public string ImagePath { get; set; } = "";

    /// <summary>The class name.</summary>
    public string Label { get; set; } = "";
}

/// <summary>What the model predicts for an image.</summary>
public sealed class ImagePrediction
{
    /// <summary>The predicted class name.</summary>
    public string PredictedLabel { get; set; } = "";

    /// <summary>Probability of each class, in the label's key order.</summary>
    public float[] Score { get; set; } = [];
}
