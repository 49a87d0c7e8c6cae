using System.Text;
using System.Text.Json.Nodes;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Training;
using SkiaSharp;

namespace MlNetVision.Tests.Training;

/// <summary>The checkpoint-only predictor (fastai <c>load_learner</c>) against the learner that saved the checkpoint.</summary>
public sealed class VisionPredictorTests : IDisposable
{
    private readonly FashionSample _sample = new();
    private readonly string _path;

    public VisionPredictorTests() => _path = _sample.Subset(4, 3, ["bag", "sandal", "trouser"]);

    public void Dispose() => _sample.Dispose();

    /// <summary>Wide and tall noise images: a resize method other than crop changes what the model sees.</summary>
    private static string WriteOddShapes(string folder)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(7);
        foreach (var (w, h, name) in new[] { (48, 20, "wide.png"), (18, 40, "tall.jpg"), (30, 30, "square.webp") })
        {
            using var bitmap = new SKBitmap(w, h);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    bitmap.SetPixel(x, y, new SKColor((byte)random.Next(256), (byte)(x * 255 / w), (byte)(y * 255 / h)));
            var format = name.EndsWith(".png") ? SKEncodedImageFormat.Png : name.EndsWith(".jpg") ? SKEncodedImageFormat.Jpeg : SKEncodedImageFormat.Webp;
            using var data = bitmap.Encode(format, 95);
            File.WriteAllBytes(Path.Combine(folder, name), data.ToArray());
        }
        return folder;
    }

    private (string Checkpoint, Dictionary<string, float[]> Expected, List<string> Files) TrainSaveAndPredict(ResizeMethod resize)
    {
        using var data = ImageDataBunch.FromFolder(_path, new ImageDataBunchOptions
            { Size = 32, BatchSize = 4, Seed = 3, NumWorkers = 2, ResizeMethod = resize, Log = TextWriter.Null });
        using var learn = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });
        learn.Fit(1, 1e-3); // moves the BatchNorm statistics away from their initial values
        var checkpoint = learn.Save("stage-1");
        var files = data.Valid.Items.Select(i => i.Path).Concat(Directory.GetFiles(WriteOddShapes(Path.Combine(_path, "odd")))).ToList();
        return (checkpoint, files.ToDictionary(f => f, f => learn.Predict(f).Probabilities), files);
    }

    private static void AssertClose(float[] expected, float[] actual, float tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var diff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(diff <= tolerance, $"{what}: probabilities differ by {diff}");
    }

    [Fact]
    public void Should_PredictLikeTheLearner_When_BuiltFromCheckpointAlone()
    {
        var (checkpoint, expected, files) = TrainSaveAndPredict(ResizeMethod.Pad);
        using var predictor = VisionPredictor.Load(checkpoint);
        Assert.Equal(["bag", "sandal", "trouser"], predictor.Classes);
        Assert.Equal(32, predictor.ImageSize);
        Assert.Equal(ResizeMethod.Pad, predictor.ResizeMethod);
        Assert.Equal(Architectures.ResNet18.Name, predictor.Info.Architecture);

        foreach (var file in files)
        {
            var one = predictor.Predict(file);
            Assert.True(expected[file].AsSpan().SequenceEqual(one.Probabilities), $"{file}: a single prediction should be bit-identical to the learner's");
            AssertClose(expected[file], predictor.Predict(File.ReadAllBytes(file)).Probabilities, 0, file + " (bytes)");
            Assert.Equal(predictor.Classes[one.Index], one.Class);
        }

        var batched = predictor.PredictFiles(files, batchSize: 4);
        Assert.Empty(batched.Skipped);
        Assert.Equal(files, batched.Items.Select(i => i.Path));
        foreach (var item in batched.Items) AssertClose(expected[item.Path], item.Prediction.Probabilities, 1e-5f, item.Path + " (batched)");

        var folder = predictor.PredictFolder(Path.Combine(_path, "odd"), batchSize: 2);
        Assert.Equal(["square.webp", "tall.jpg", "wide.png"], folder.Items.Select(i => Path.GetFileName(i.Path)));
        foreach (var item in folder.Items) AssertClose(expected[item.Path], item.Prediction.Probabilities, 1e-5f, item.Path + " (folder)");

        // The resize method really travels in the checkpoint: cropping the wide image gives other probabilities.
        var wide = Path.Combine(_path, "odd", "wide.png");
        using var cropped = ImageLoader.LoadForInference(wide, 32, ResizeMethod.Crop);
        var viaCrop = predictor.Predict(cropped).Probabilities;
        Assert.True(viaCrop.Zip(expected[wide], (a, b) => Math.Abs(a - b)).Max() > 1e-4f, "crop and pad should not give the same probabilities on a 48x20 image");
    }

    [Fact]
    public void Should_ListTopKClasses_When_PredictionHasClassNames()
    {
        var prediction = new Prediction("b", 1, [0.2f, 0.5f, 0.05f, 0.25f]) { ClassNames = ["a", "b", "c", "d"] };
        var top = prediction.TopK(3);
        Assert.Equal(["b", "d", "a"], top.Select(t => t.Class));
        Assert.Equal([1, 3, 0], top.Select(t => t.Index));
        Assert.Equal([0.5f, 0.25f, 0.2f], top.Select(t => t.Probability));
        Assert.Equal(4, prediction.TopK(10).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => prediction.TopK(0));
    }

    [Fact]
    public void Should_SkipUndecodableFiles_When_PredictingAFolder()
    {
        using var data = FashionSample.Bunch(_path, size: 32, batchSize: 4);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });
        using var predictor = VisionPredictor.Load(learn.Save("plain"));
        var folder = Directory.CreateDirectory(Path.Combine(_path, "mixed")).FullName;
        foreach (var f in data.Valid.Items.Take(3)) File.Copy(f.Path, Path.Combine(folder, Path.GetFileName(f.Path)));
        File.WriteAllText(Path.Combine(folder, "aa-broken.png"), "this is not a PNG");
        File.WriteAllBytes(Path.Combine(folder, "empty.jpg"), []);

        var result = predictor.PredictFolder(folder, batchSize: 2);
        Assert.Equal(3, result.Items.Count);
        Assert.Equal(["aa-broken.png", "empty.jpg"], result.Skipped.Select(s => Path.GetFileName(s.Source)));
        Assert.Contains("empty", result.Skipped[1].Reason);
        Assert.All(result.Items, i => Assert.Equal(1f, i.Prediction.Probabilities.Sum(), 4));
        Assert.Throws<DirectoryNotFoundException>(() => predictor.PredictFolder(Path.Combine(_path, "nowhere")));
    }

    [Fact]
    public void Should_RefuseFile_When_NotACheckpoint()
    {
        var fake = Path.Combine(_path, "fake.ckpt");
        File.WriteAllText(fake, "MLNVCKPT but nothing after");
        Assert.Throws<InvalidDataException>(() => VisionPredictor.Load(fake));
        File.WriteAllBytes(fake, "MLNV"u8.ToArray());
        Assert.Throws<InvalidDataException>(() => VisionPredictor.Load(fake));
        Assert.Throws<FileNotFoundException>(() => VisionPredictor.Load(Path.Combine(_path, "missing.ckpt")));
    }

    [Fact]
    public void Should_LoadWithCropResize_When_CheckpointHeaderPredatesResizeMethod()
    {
        using var data = FashionSample.Bunch(_path, size: 32, batchSize: 4);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });
        var bytes = File.ReadAllBytes(learn.Save("current"));
        // Rewrite the header without the ResizeMethod field, as format-1 files written before it had it look.
        int length = BitConverter.ToInt32(bytes, 12);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 16, length))!.AsObject();
        Assert.True(header.Remove("ResizeMethod"));
        var old = Encoding.UTF8.GetBytes(header.ToJsonString());
        var rewritten = bytes[..12].Concat(BitConverter.GetBytes(old.Length)).Concat(old).Concat(bytes[(16 + length)..]).ToArray();
        var path = Path.Combine(_path, "old.ckpt");
        File.WriteAllBytes(path, rewritten);

        using var predictor = VisionPredictor.Load(path);
        Assert.Equal(ResizeMethod.Crop, predictor.ResizeMethod);
        var image = data.Valid.Items[0].Path;
        Assert.True(learn.Predict(image).Probabilities.AsSpan().SequenceEqual(predictor.Predict(image).Probabilities));
    }
}
