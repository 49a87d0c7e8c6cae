using System.Text.Json;
using System.Text.RegularExpressions;

namespace MlNetVision.Tests.Cli;

/// <summary>train → evaluate → predict with the built tool on the shipped Fashion-MNIST sample (10 classes, chance 0.1).</summary>
[Collection(CliProcessCollection.Name)]
public partial class CliWorkflowTests(TrainedSampleModel trained) : IClassFixture<TrainedSampleModel>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);
    private static readonly string[] Classes = ["ankle_boot", "bag", "coat", "dress", "pullover", "sandal", "shirt", "sneaker", "trouser", "tshirt_top"];

    private CliResult TrainResult
    {
        get
        {
            Assert.True(trained.Train.ExitCode == 0, trained.Train.ToString());
            return trained.Train;
        }
    }

    [Fact]
    public void Should_TrainOnShippedSampleAndWriteEveryFile_When_NoDataGiven()
    {
        var r = TrainResult;
        Assert.Contains("No data given: using the sample shipped with the tool", r.StdErr);
        Assert.Contains($"classes: 10 ({string.Join(", ", Classes)})", r.StdOut);
        Assert.Contains("images: train 1000, valid 300", r.StdOut);
        Assert.Contains("== Frozen phase: fit_one_cycle(1, slice(0.003)), body frozen", r.StdOut);
        Assert.Contains("== Unfrozen phase: fit_one_cycle(1, slice(0.001)), whole network", r.StdOut);
        var rows = CliSample.EpochRows(r.StdOut);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.True(double.IsFinite(row[1]) && double.IsFinite(row[2]), r.StdOut));
        var accuracy = CliSample.Fact(r.StdOut, "accuracy");
        // Measured with `mlnet-vision train --size 32 --epochs 1 --unfreeze-epochs 1 --lr 1e-3 --seed S` on this sample:
        // 0.487 (S = 42, the default; the same on a second run), 0.453 (1), 0.510 (2), 0.603 (3), 0.440 (4). Chance is 0.1.
        Assert.InRange(accuracy, 0.40, 0.70);
        Assert.Equal(1 - accuracy, CliSample.Fact(r.StdOut, "error_rate"), 6);
        Assert.Equal(rows[^1][3], CliSample.Fact(r.StdOut, "error_rate"), 6);

        foreach (var plot in new[] { "lr-schedule.png", "losses-frozen.png", "losses-unfrozen.png" })
            CliArtifacts.AssertPlot(Path.Combine(trained.ModelDir, plot));
        var html = File.ReadAllText(Path.Combine(trained.ModelDir, "report.html"));
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("tshirt_top", html);
        // Embedded, in page order: the last stage's losses and the LR schedule (800 × 500), the confusion matrix
        // (square), the 3 × 3 top losses, the same top losses under their heat maps, then the frozen phase's losses
        // among the extra pictures.
        var images = CliArtifacts.EmbeddedImages(Path.Combine(trained.ModelDir, "report.html"));
        Assert.Equal(6, images.Count);
        Assert.Equal([(800, 500), (800, 500)], images.Take(2));
        Assert.Equal(images[2].Width, images[2].Height);
        Assert.Equal((3 * 224 + 4 * 12, 36 + 3 * (44 + 224) + 4 * 12), images[3]);
        Assert.Equal(images[3], images[4]);
        Assert.Equal((800, 500), images[5]);
    }

    [Fact]
    public void Should_HoldTheTrainedNetwork_When_TheCheckpointAndOnnxFileAreOpened()
    {
        var r = TrainResult;
        var checkpoint = Path.Combine(trained.ModelDir, "model.ckpt");
        var info = MlNetVision.Training.Checkpoint.ReadInfo(checkpoint);
        Assert.Equal(Classes, info.Classes);
        Assert.Equal((32, "resnet18-mlnet"), (info.ImageSize, info.Architecture));
        var valid = MlNetVision.Data.ImageFolders.ClassFolders(Path.Combine(CliSample.Folder, "valid"));
        Assert.Equal(300, valid.Count);

        var (accuracy, difference) = CliArtifacts.CompareCheckpointAndOnnx(checkpoint, Path.Combine(trained.ModelDir, "model.onnx"), valid);

        // The checkpoint holds the final weights (its accuracy is the one train printed), and model.onnx is the same network.
        Assert.Equal(CliSample.Fact(r.StdOut, "accuracy"), accuracy, 6);
        Assert.InRange(difference, 0, 1e-4);
    }

    [Fact]
    public async Task Should_ReportSameAccuracyThroughMlNet_When_EvaluatingModelZipOnSample()
    {
        var trainAccuracy = CliSample.Fact(TrainResult.StdOut, "accuracy");
        var r = await CliProcess.RunAsync(trained.Root, Limit, "evaluate", trained.ModelZip, CliSample.Folder);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("(its valid/ folder)", r.StdOut);
        Assert.Equal(300, CliSample.Fact(r.StdOut, "images"));
        // The learner decodes and resizes as ML.NET does (docs/MLNET.md), so the accuracy is the same, not just close.
        Assert.Equal(trainAccuracy, CliSample.Fact(r.StdOut, "accuracy"), 6);
        foreach (var c in Classes) Assert.Matches($@"(?m)^{c}\s+\d\.\d{{6}}\s+\d\.\d{{6}}\s+\d\.\d{{6}}\s+30$", r.StdOut);

        var matrix = r.StdOut[r.StdOut.IndexOf("== Confusion matrix", StringComparison.Ordinal)..].Split('\n')
            .Where(l => Classes.Any(c => l.StartsWith(c + " ", StringComparison.Ordinal))).ToList();
        Assert.Equal(10, matrix.Count);
        Assert.All(matrix, line => Assert.Equal(30, line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Sum(int.Parse)));
        var report = Path.Combine(trained.ModelDir, "evaluation.html");
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"accuracy {CliSample.Fact(r.StdOut, "accuracy"):0.0000}"), File.ReadAllText(report));
        var pictures = CliArtifacts.EmbeddedImages(report);
        Assert.Equal(2, pictures.Count); // the confusion matrix and the top losses of the evaluated files
        Assert.Equal(pictures[0].Width, pictures[0].Height);
    }

    [Fact]
    public async Task Should_LeaveNoTemporaryFiles_When_TrainPredictAndEvaluateEnd()
    {
        // ML.NET's ONNX transformer copies the model's ONNX file (tens of MB) to the temp folder; only disposing the
        // transformer deletes it, so a command that forgets to would fill /tmp a model at a time.
        Assert.True(TrainResult.ExitCode == 0);
        Assert.Empty(Directory.GetFileSystemEntries(trained.TempDir));

        using var temp = new TempFolder("clitmp");
        var environment = new Dictionary<string, string?> { ["TMPDIR"] = temp.Path };
        var one = Directory.GetFiles(Path.Combine(CliSample.Folder, "valid", "bag"), "*.png").Order(StringComparer.Ordinal).First();
        var predict = await CliProcess.RunWithEnvironmentAsync(trained.Root, Limit, environment, "predict", trained.ModelZip, one);
        var evaluate = await CliProcess.RunWithEnvironmentAsync(trained.Root, Limit, environment, "evaluate", trained.ModelZip, CliSample.Folder,
            "--report", Path.Combine(trained.Root, "tmp-evaluation.html"));

        Assert.True(predict.ExitCode == 0, predict.ToString());
        Assert.True(evaluate.ExitCode == 0, evaluate.ToString());
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public async Task Should_EvaluateTheRowsOfACsv_When_DataIsACsvFile()
    {
        using var folder = new TempFolder("evalcsv");
        CliSample.CopyClasses(folder, "valid", ["bag", "sandal"], 2);
        var rows = Directory.GetFiles(folder, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => $"\"{Path.GetRelativePath(folder, f)}\",{Path.GetFileName(Path.GetDirectoryName(f))}").ToList();
        File.WriteAllLines(Path.Combine(folder, "labels.csv"), ["file,label", .. rows, ""]);
        File.WriteAllLines(Path.Combine(folder, "broken.csv"), ["file,label", rows[0], "bag/only-a-name.png"]);

        var r = await CliProcess.RunAsync(trained.Root, Limit, "evaluate", trained.ModelZip, Path.Combine(folder, "labels.csv"), "--report", Path.Combine(folder, "eval.html"));
        var broken = await CliProcess.RunAsync(trained.Root, Limit, "evaluate", trained.ModelZip, Path.Combine(folder, "broken.csv"));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("(its rows)", r.StdOut);
        Assert.Equal(4, CliSample.Fact(r.StdOut, "images"));
        Assert.Matches(@"(?m)^bag\s+\d\.\d{6}\s+\d\.\d{6}\s+\d\.\d{6}\s+2$", r.StdOut);
        Assert.Equal(2, CliArtifacts.EmbeddedImages(Path.Combine(folder, "eval.html")).Count);
        Assert.True(broken.ExitCode == 4, broken.ToString());
        Assert.Equal($"error: '{Path.Combine(folder, "broken.csv")}' line 3: expected file,label, got 'bag/only-a-name.png'.", broken.StdErr.Trim());
    }

    [Fact]
    public async Task Should_PrintClassAndProbability_When_PredictingImageAndFolder()
    {
        using var folder = new TempFolder("predict");
        CliSample.CopyClasses(folder, "valid", ["trouser", "sneaker"], 3);
        var one = Directory.GetFiles(Path.Combine(folder, "trouser"))[0];

        var single = await CliProcess.RunAsync(trained.Root, Limit, "predict", trained.ModelZip, one);
        Assert.True(single.ExitCode == 0, single.ToString());
        var line = single.StdOut.Split('\n').Single(l => l.StartsWith(one, StringComparison.Ordinal));
        var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(cells[1], Classes);
        Assert.InRange(double.Parse(cells[2], System.Globalization.CultureInfo.InvariantCulture), 0.1, 1.0);

        var json = await CliProcess.RunAsync(trained.Root, Limit, "predict", trained.ModelZip, folder, "--json", "--top", "3");
        Assert.True(json.ExitCode == 0, json.ToString());
        using var doc = JsonDocument.Parse(json.StdOut);
        var items = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(6, items.Count);
        foreach (var item in items)
        {
            var top = item.GetProperty("top").EnumerateArray().Select(t => t.GetProperty("probability").GetSingle()).ToList();
            Assert.Equal(3, top.Count);
            Assert.True(top[0] >= top[1] && top[1] >= top[2], json.StdOut);
            Assert.Equal(item.GetProperty("probability").GetSingle(), top[0]);
            Assert.Contains(item.GetProperty("class").GetString(), Classes);
        }
        Assert.Equal(new[] { "sneaker", "trouser" }, items.Select(i => i.GetProperty("image").GetString()!.Split('/')[0]).Distinct().Order());
    }

    [Fact]
    public async Task Should_WritePlainLines_When_OutputIsRedirectedAndCiUnset()
    {
        var image = Directory.GetFiles(Path.Combine(CliSample.Folder, "valid", "sandal"))[0];
        _ = TrainResult;
        var r = await CliProcess.RunWithEnvironmentAsync(trained.Root, Limit, new Dictionary<string, string?> { ["CI"] = null, ["TERM"] = "xterm-256color" },
            "predict", trained.ModelZip, image, "--top", "2");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain('\u001b', r.StdOut);
        Assert.DoesNotContain("│", r.StdOut);
        Assert.Matches(@"(?m)^image\s+top1\s+top2$", r.StdOut);
    }

    [Fact]
    public async Task Should_ExitWithBadData_When_ImageUnreadable()
    {
        using var folder = new TempFolder("unreadable");
        CliSample.CopyClasses(folder, "valid", ["bag"], 2);
        var bad = Path.Combine(folder, "bag", "zz-broken.png");
        await File.WriteAllTextAsync(bad, "this is not a PNG");

        var single = await CliProcess.RunAsync(trained.Root, Limit, "predict", trained.ModelZip, bad);
        Assert.True(single.ExitCode == 4, single.ToString());
        Assert.Equal($"error: Cannot read image {bad}: {MlNetVision.Data.ImageProbe.Problem(bad)}", single.StdErr.Trim());
        Assert.StartsWith("not a decodable image", MlNetVision.Data.ImageProbe.Problem(bad));

        var many = await CliProcess.RunAsync(trained.Root, Limit, "predict", trained.ModelZip, folder);
        Assert.True(many.ExitCode == 4, many.ToString());
        Assert.Equal(2, many.StdOut.Split('\n').Count(l => l.StartsWith("bag/", StringComparison.Ordinal)));
        Assert.StartsWith("error: 1 of 3 image(s) could not be read:", many.StdErr);
        Assert.Contains("zz-broken.png", many.StdErr);
        Assert.DoesNotContain("   at ", many.StdErr);
    }

    [Fact]
    public async Task Should_ExitWithModelMismatch_When_DataHasOtherClasses()
    {
        using var folder = new TempFolder("otherclasses");
        foreach (var c in new[] { "cat", "dog" })
        {
            Directory.CreateDirectory(Path.Combine(folder, c));
            foreach (var f in Directory.GetFiles(Path.Combine(CliSample.Folder, "valid", "bag")).Take(2))
                File.Copy(f, Path.Combine(folder, c, Path.GetFileName(f)));
        }
        var r = await CliProcess.RunAsync(trained.Root, Limit, "evaluate", trained.ModelZip, folder);
        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.StartsWith("error: The model was made for other classes: the data has cat, dog that the model does not know", r.StdErr);
    }

    [Fact]
    public async Task Should_ExitWithModelMismatch_When_ModelIsNotAnMlNetZip()
    {
        var report = Path.Combine(trained.ModelDir, "report.html");
        _ = TrainResult;
        var r = await CliProcess.RunAsync(trained.Root, Limit, "predict", report, CliSample.Folder);
        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.Equal($"error: '{report}' is not an ML.NET model.zip that can be loaded (Failed to open a zip archive). Use the model.zip written by 'mlnet-vision train'.", r.StdErr.Trim());
    }

    [Fact]
    public async Task Should_PredictSameProbabilities_When_ModelIsTheCheckpoint()
    {
        var checkpoint = Path.Combine(trained.ModelDir, "model.ckpt");
        _ = TrainResult;
        var folder = Path.Combine(CliSample.Folder, "valid");
        var zip = await CliProcess.RunAsync(trained.Root, Limit, "predict", trained.ModelZip, folder, "--json", "--top", "10");
        var ckpt = await CliProcess.RunAsync(trained.Root, Limit, "predict", checkpoint, folder, "--json", "--top", "10");
        Assert.True(zip.ExitCode == 0, zip.ToString());
        Assert.True(ckpt.ExitCode == 0, ckpt.ToString());

        static Dictionary<string, Dictionary<string, float>> Read(string json)
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.EnumerateArray().ToDictionary(i => i.GetProperty("image").GetString()!,
                i => i.GetProperty("top").EnumerateArray().ToDictionary(t => t.GetProperty("class").GetString()!, t => t.GetProperty("probability").GetSingle()));
        }
        var (viaZip, viaCkpt) = (Read(zip.StdOut), Read(ckpt.StdOut));
        Assert.Equal(300, viaZip.Count);
        Assert.Equal(viaZip.Keys.Order(), viaCkpt.Keys.Order());
        float maxDiff = 0;
        foreach (var (image, probs) in viaZip)
        {
            Assert.Equal(10, viaCkpt[image].Count);
            foreach (var (c, p) in probs) maxDiff = Math.Max(maxDiff, Math.Abs(p - viaCkpt[image][c]));
        }
        Assert.True(maxDiff <= 1e-4f, $"model.zip and model.ckpt differ by {maxDiff} in some probability");
    }

    [Fact]
    public async Task Should_EvaluateToSameFigures_When_ModelIsTheCheckpoint()
    {
        var checkpoint = Path.Combine(trained.ModelDir, "model.ckpt");
        _ = TrainResult;
        using var folder = new TempFolder("evaluate-ckpt");
        var zip = await CliProcess.RunAsync(trained.Root, Limit, "evaluate", trained.ModelZip, CliSample.Folder, "--report", folder.File("zip.html"));
        var ckpt = await CliProcess.RunAsync(trained.Root, Limit, "evaluate", checkpoint, CliSample.Folder, "--report", folder.File("ckpt.html"));
        Assert.True(zip.ExitCode == 0, zip.ToString());
        Assert.True(ckpt.ExitCode == 0, ckpt.ToString());
        Assert.Equal(300, CliSample.Fact(ckpt.StdOut, "images"));
        foreach (var fact in new[] { "accuracy", "log_loss", "macro_f1" })
            Assert.True(Math.Abs(CliSample.Fact(zip.StdOut, fact) - CliSample.Fact(ckpt.StdOut, fact)) <= 1e-4, $"{fact} differs\n{zip}\n{ckpt}");
        // The checkpoint's report is the same report: its accuracy, the confusion matrix and the top losses.
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"accuracy {CliSample.Fact(ckpt.StdOut, "accuracy"):0.0000}"),
            File.ReadAllText(folder.File("ckpt.html")));
        Assert.Equal(2, CliArtifacts.EmbeddedImages(folder.File("ckpt.html")).Count);
    }

    [Fact]
    public async Task Should_ExitWithModelMismatch_When_CheckpointIsNotOne()
    {
        using var temp = new TempFolder("bad-ckpt");
        var folder = temp.Path;
        var fake = Path.Combine(folder, "model.ckpt");
        await File.WriteAllTextAsync(fake, "not a checkpoint at all");
        var r = await CliProcess.RunAsync(trained.Root, Limit, "predict", fake, CliSample.Folder);
        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.StartsWith($"error: '{fake}' is not a checkpoint written by 'mlnet-vision train'", r.StdErr.Trim());
    }
}
