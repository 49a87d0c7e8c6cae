using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.MlNet;
using MlNetVision.Native;
using MlNetVision.Tests.MlNet;
using MlNetVision.Training;

namespace MlNetVision.Tests.Cli;

/// <summary>Runs the built tool's <c>train</c> and <c>lr-find</c> on small real data (Fashion-MNIST sample, 32×32).</summary>
[Collection(CliProcessCollection.Name)]
public class CliTrainTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Should_TrainFromCsvWithAutoLrAndWarnAboutUnreadableImage_When_CsvGiven()
    {
        using var root = new TempFolder("csv");
        var images = Path.Combine(root, "images");
        CliSample.CopyClasses(images, "train", ["bag", "trouser"], 24);
        await File.WriteAllBytesAsync(Path.Combine(images, "bag", "broken.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var rows = Directory.GetFiles(images, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"{Path.GetRelativePath(root, f)},{Path.GetFileName(Path.GetDirectoryName(f))}");
        var csv = Path.Combine(root, "labels.csv");
        await File.WriteAllLinesAsync(csv, ["name,label", .. rows]);

        var r = await CliProcess.RunAsync(root, Limit, "train", csv, "--size", "32", "--bs", "16", "--epochs", "1", "--unfreeze-epochs", "1", "--lr-find-iterations", "20", "--out", "out");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("classes: 2 (bag, trouser)", r.StdOut);
        Assert.Contains("broken.png", r.StdErr);
        Assert.Contains("warning: ", r.StdErr);
        Assert.Equal(2, CliSample.EpochRows(r.StdOut).Count);
        // --lr auto (the default): the finder runs after unfreezing and its valley, capped at head-lr/10, tops the range.
        Assert.Contains("== Learning-rate finder: lr_find(num_it=20), whole network", r.StdOut);
        Assert.Matches(@"(?m)^valley\s+(\d\.\d\de-\d\d|n/a)\s", r.StdOut);
        var range = System.Text.RegularExpressions.Regex.Match(r.StdOut, @"== Unfrozen phase: fit_one_cycle\(1, slice\(([0-9.E+-]+), ([0-9.E+-]+)\)\), whole network");
        Assert.True(range.Success, r.StdOut);
        var lo = double.Parse(range.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var hi = double.Parse(range.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(hi, 1e-9, 3e-4 * 1.0001);
        Assert.Equal(hi / 100, lo, hi / 100 * 2e-3);
        CliArtifacts.AssertPlot(Path.Combine(root, "out", "lr-find.png"));
        Assert.Equal(["bag", "trouser"], MlNetVision.Training.Checkpoint.ReadInfo(Path.Combine(root, "out", "model.ckpt")).Classes);
        // The report embeds the LR finder plot too: unfrozen-phase losses, LR schedule, LR finder, confusion matrix, top losses, top losses under heat maps, frozen-phase losses.
        Assert.Equal(7, CliArtifacts.EmbeddedImages(Path.Combine(root, "out", "report.html")).Count);
        // model.zip scores through stock ML.NET: two classes, probabilities summing to 1.
        var ml = new MLContext();
        var zip = ml.Model.Load(Path.Combine(root, "out", "model.zip"), out _);
        using var zipOwner = (IDisposable)zip; // deletes ML.NET's temporary ONNX copy
        var scored = zip.Transform(ml.Data.LoadFromEnumerable(new[] { new PathRow { ImagePath = Directory.GetFiles(Path.Combine(images, "trouser"))[0] } }));
        var score = scored.GetColumn<float[]>("Score").Single();
        Assert.Equal(2, score.Length);
        Assert.Equal(1.0, score.Sum(), 4);
    }

    [Fact]
    public async Task Should_PrintTheEstimatorsEpochTable_When_SeedAndOptionsMatch()
    {
        using var temp = new TempFolder("same-recipe");
        var root = temp.Path;
        var data = Path.Combine(root, "data");
        string[] classes = ["bag", "trouser"];
        CliSample.CopyClasses(Path.Combine(data, "train"), "train", classes, 16);
        CliSample.CopyClasses(Path.Combine(data, "valid"), "valid", classes, 8);
        var r = await CliProcess.RunAsync(root, Limit, "train", "data", "--size", "32", "--bs", "8", "--frozen-epochs", "1", "--unfrozen-epochs", "1",
            "--lr", "1e-4", "--seed", "7", "--out", "out");
        Assert.True(r.ExitCode == 0, r.ToString());
        var cli = CliSample.EpochRows(r.StdOut);
        Assert.Equal(2, cli.Count);

        // The same images, seed and recipe through the ML.NET estimator, in this process.
        NativeBackend.EnsureLoaded();
        var ml = new MLContext(seed: 0);
        List<SampleData.ImageRow> Rows(string split) => classes.SelectMany(c => Directory.GetFiles(Path.Combine(data, split, c)).Order(StringComparer.Ordinal)
            .Select(f => new SampleData.ImageRow { ImagePath = f, Label = c })).ToList();
        var train = ml.Data.LoadFromEnumerable(Rows("train"));
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
        var trainer = ml.MulticlassClassification.Trainers.VisionClassifier(new VisionClassifierOptions
        {
            ImageSize = 32, BatchSize = 8, FrozenEpochs = 1, UnfrozenEpochs = 1, UnfrozenLearningRate = LearningRate.Parse("1e-4"), Seed = 7,
            ValidationSet = toKey.Transform(ml.Data.LoadFromEnumerable(Rows("valid"))),
        });
        trainer.Fit(toKey.Transform(train));
        var estimator = trainer.LastFineTune!.Epochs;

        Assert.Equal(cli.Count, estimator.Count);
        for (int i = 0; i < cli.Count; i++)
        {
            var e = estimator[i];
            Assert.Equal(cli[i][0], e.Epoch);
            // The tool prints six decimals.
            Assert.Equal(cli[i][1], e.TrainLoss, 1e-6);
            Assert.Equal(cli[i][2], e.ValidLoss, 1e-6);
            Assert.Equal(cli[i][3], e["error_rate"], 1e-6);
        }
    }

    [Fact]
    public async Task Should_ExitWithBadData_When_FolderHasOneClass()
    {
        using var root = new TempFolder("oneclass");
        CliSample.CopyClasses(root, "train", ["bag"], 10);
        var r = await CliProcess.RunAsync(root, Limit, "train", root, "--size", "32");
        Assert.True(r.ExitCode == 4, r.ToString());
        Assert.Contains($"error: '{root}' has a single class (bag): a classifier needs at least two classes", r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);
    }

    [Fact]
    public async Task Should_ExitWithBadData_When_FolderHasNoImage()
    {
        using var root = new TempFolder("noimage");
        Directory.CreateDirectory(Path.Combine(root, "cats"));
        await File.WriteAllTextAsync(Path.Combine(root, "cats", "notes.txt"), "no image here");
        var r = await CliProcess.RunAsync(root, Limit, "train", root, "--size", "32");
        Assert.True(r.ExitCode == 4, r.ToString());
        Assert.StartsWith("error: No usable training image", r.StdErr.Split('\n').First(l => l.StartsWith("error:")));
    }

    [Fact]
    public async Task Should_PrintSuggestionsAndWritePlot_When_LrFindRuns()
    {
        using var root = new TempFolder("lrfind");
        CliSample.CopyClasses(Path.Combine(root, "data"), "train", ["sneaker", "trouser", "bag"], 20);
        var r = await CliProcess.RunAsync(root, Limit, "lr-find", "data", "--size", "32", "--bs", "8", "--iterations", "30", "--out", "out");
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var name in new[] { "valley", "steep", "min/10" }) Assert.Matches($@"(?m)^{name}\s+(\d\.\d\de[-+]\d\d|n/a)\s", r.StdOut);
        Assert.Matches(@"(?m)^valley\s+\d\.\d\de[-+]\d\d\s+\d+\.\d{6}$", r.StdOut);
        var iterations = (int)CliSample.Fact(r.StdOut, "iterations");
        Assert.InRange(iterations, 2, 30);
        CliArtifacts.AssertPlot(Path.Combine(root, "out", "lr-find.png"));
    }

    [Fact]
    public async Task Should_StopAndKeepLastGoodCheckpoint_When_Interrupted()
    {
        using var root = new TempFolder("interrupt");
        CliSample.CopyClasses(Path.Combine(root, "data"), "train", ["sneaker", "trouser"], 40);
        string[] args = ["train", "data", "--size", "32", "--bs", "8", "--epochs", "200", "--unfreeze-epochs", "0", "--out", "out"];
        using var process = CliProcess.Start(root, args);
        var firstEpoch = new TaskCompletionSource();
        var wait = CliProcess.WaitAsync(process, Limit, args, line =>
        {
            if (System.Text.RegularExpressions.Regex.IsMatch(line, @"^0\s+\d")) firstEpoch.TrySetResult();
        });
        var finished = await Task.WhenAny(firstEpoch.Task, wait);
        if (finished != firstEpoch.Task) Assert.Fail("the tool ended before its first epoch: " + await wait);
        CliProcess.SendInterrupt(process);
        var r = await wait;

        Assert.True(r.ExitCode == 130, r.ToString());
        Assert.Contains("Stopping after the current batch", r.StdErr);
        Assert.Matches(@"Stopped\. The last good checkpoint \(frozen phase, epoch \d+\) is .*model\.ckpt\.", r.StdErr);
        Assert.DoesNotContain("   at ", r.StdErr);
        var (model, info) = MlNetVision.Training.Checkpoint.LoadModel(Path.Combine(root, "out", "model.ckpt"));
        model.Dispose();
        Assert.Equal(["sneaker", "trouser"], info.Classes);
        Assert.False(File.Exists(Path.Combine(root, "out", "report.html")), "an interrupted run must not write the final report");
        Assert.Empty(Directory.GetFiles(Path.Combine(root, "out"), "*.tmp*"));
    }
}

/// <summary>Serialises the tests that train in a separate process, so that they do not fight over the cores.</summary>
[CollectionDefinition(Name)]
public class CliProcessCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "mlnet-vision processes";
}
