// The shape of the code Model Builder generates: ModelInput/ModelOutput classes, a ConsumeModel class with a Predict
// method over MLModel.zip that takes the image as bytes (byte[] ImageSource, no temp file), and the training code that made the zip (ModelBuilder). The first run trains MLModel.zip
// on the committed Fashion-MNIST sample (64 px, 3 epochs, about a minute on a CPU); later runs only load and predict.
// Usage: dotnet run --project samples/ModelBuilderStyle [-- /path/to/folder-with-train-and-valid]
using ModelBuilderStyle;

var root = args.Length > 0 ? args[0] : SampleData.Find("pass a folder with train/ and valid/ class folders.");
ConsumeModel.MLNetModelPath = Path.Combine(AppContext.BaseDirectory, "MLModel.zip");
if (!File.Exists(ConsumeModel.MLNetModelPath))
{
    Console.WriteLine($"Training {ConsumeModel.MLNetModelPath}...");
    ModelBuilder.CreateModel(Path.Combine(root, "train"), ConsumeModel.MLNetModelPath);
}

foreach (var classDir in Directory.GetDirectories(Path.Combine(root, "valid")).Order(StringComparer.Ordinal).Take(3))
{
    var file = Directory.GetFiles(classDir).Order(StringComparer.Ordinal).First();
    var input = new ModelInput { ImageSource = File.ReadAllBytes(file) }; // in-memory bytes, as an upload would arrive
    var output = ConsumeModel.Predict(input);
    var top3 = string.Join(", ", ConsumeModel.PredictAllLabels(input).Take(3).Select(p => $"{p.Key} {p.Value:P0}"));
    Console.WriteLine($"{Path.GetFileName(classDir)}/{Path.GetFileName(file)}: predicted {output.PredictedLabel} (top 3: {top3})");
}

// Sample output (first run):
// Training .../samples/ModelBuilderStyle/bin/Debug/net10.0/MLModel.zip...
// ankle_boot/t10k_00000.png: predicted ankle_boot (top 3: ankle_boot 100 %, sneaker 0 %, bag 0 %)
// bag/t10k_00018.png: predicted bag (top 3: bag 100 %, sandal 0 %, sneaker 0 %)
// coat/t10k_00006.png: predicted trouser (top 3: trouser 65 %, shirt 14 %, coat 8 %)
