using System.Text.Json;
using System.Text.RegularExpressions;

namespace MlNetVision.Tests.Cli;

/// <summary>train → evaluate → predict with the built tool on the shipped Fashion-MNIST sample (10 classes, chance 0.1).</summary>
[Collection(CliProcessCollection.Name)]
public class CliWorkflowTests(TrainedSampleModel trained) : IClassFixture<TrainedSampleModel>
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
        Assert.Contains("== Stage 1: body frozen, fit_one_cycle(1, slice(0.003))", r.StdOut);
        Assert.Contains("== Stage 2: unfrozen, fit_one_cycle(1, slice(0.001))", r.StdOut);
        var rows = CliSample.EpochRows(r.StdOut);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, row => Assert.True(double.IsFinite(row[1]) && double.IsFinite(row[2]), r.StdOut));
        var accuracy = CliSample.Fact(r.StdOut, "accuracy");
        Assert.InRange(accuracy, 0.3, 1.0);
        Assert.Equal(1 - accuracy, CliSample.Fact(r.StdOut, "error_rate"), 6);
        Assert.Equal(rows[^1][3], CliSample.Fact(r.StdOut, "error_rate"), 6);

        foreach (var file in new[] { "model.zip", "model.onnx", "model.ckpt", "report.html", "lr-schedule.png", "losses-stage1.png", "losses-stage2.png" })
            Assert.True(File.Exists(Path.Combine(trained.ModelDir, file)), $"{file} missing\n{r}");
        var html = File.ReadAllText(Path.Combine(trained.ModelDir, "report.html"));
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.OrdinalIgnoreCase);
        Assert.True(Regex.Matches(html, "data:image/png;base64,").Count >= 3, "the report should embed its plots");
        Assert.Contains("tshirt_top", html);
    }

    [Fact]
    public async Task Should_ReportSameAccuracyThroughMlNet_When_EvaluatingModelZipOnSample()
    {
        var trainAccuracy = CliSample.Fact(TrainResult.StdOut, "accuracy");
        var r = await CliProcess.RunAsync(trained.Root, Limit, "evaluate", trained.ModelZip, CliSample.Folder);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("(its valid/ folder)", r.StdOut);
        Assert.Equal(300, CliSample.Fact(r.StdOut, "images"));
        // ML.NET resizes with its own code, so a few borderline images may flip; the rest is the same network.
        Assert.InRange(CliSample.Fact(r.StdOut, "accuracy"), trainAccuracy - 0.05, trainAccuracy + 0.05);
        foreach (var c in Classes) Assert.Matches($@"(?m)^{c}\s+\d\.\d{{6}}\s+\d\.\d{{6}}\s+\d\.\d{{6}}\s+30$", r.StdOut);

        var matrix = r.StdOut[r.StdOut.IndexOf("== Confusion matrix", StringComparison.Ordinal)..].Split('\n')
            .Where(l => Classes.Any(c => l.StartsWith(c + " ", StringComparison.Ordinal))).ToList();
        Assert.Equal(10, matrix.Count);
        Assert.All(matrix, line => Assert.Equal(30, line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Sum(int.Parse)));
        Assert.True(File.Exists(Path.Combine(trained.ModelDir, "evaluation.html")), r.ToString());
    }

    [Fact]
    public async Task Should_PrintClassAndProbability_When_PredictingImageAndFolder()
    {
        var folder = CliSample.NewTempFolder("predict");
        try
        {
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
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
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
        var folder = CliSample.NewTempFolder("unreadable");
        try
        {
            CliSample.CopyClasses(folder, "valid", ["bag"], 2);
            var bad = Path.Combine(folder, "bag", "zz-broken.png");
            await File.WriteAllTextAsync(bad, "this is not a PNG");

            var single = await CliProcess.RunAsync(trained.Root, Limit, "predict", trained.ModelZip, bad);
            Assert.True(single.ExitCode == 4, single.ToString());
            Assert.Equal($"error: Cannot read image {bad}: not an image (unknown or unsupported format)", single.StdErr.Trim());

            var many = await CliProcess.RunAsync(trained.Root, Limit, "predict", trained.ModelZip, folder);
            Assert.True(many.ExitCode == 4, many.ToString());
            Assert.Equal(2, many.StdOut.Split('\n').Count(l => l.StartsWith("bag/", StringComparison.Ordinal)));
            Assert.StartsWith("error: 1 of 3 image(s) could not be read:", many.StdErr);
            Assert.Contains("zz-broken.png", many.StdErr);
            Assert.DoesNotContain("   at ", many.StdErr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Should_ExitWithModelMismatch_When_DataHasOtherClasses()
    {
        var folder = CliSample.NewTempFolder("otherclasses");
        try
        {
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
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
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
        var folder = CliSample.NewTempFolder("evaluate-ckpt");
        try
        {
            var zip = await CliProcess.RunAsync(trained.Root, Limit, "evaluate", trained.ModelZip, CliSample.Folder, "--report", Path.Combine(folder, "zip.html"));
            var ckpt = await CliProcess.RunAsync(trained.Root, Limit, "evaluate", checkpoint, CliSample.Folder, "--report", Path.Combine(folder, "ckpt.html"));
            Assert.True(zip.ExitCode == 0, zip.ToString());
            Assert.True(ckpt.ExitCode == 0, ckpt.ToString());
            Assert.Equal(300, CliSample.Fact(ckpt.StdOut, "images"));
            foreach (var fact in new[] { "accuracy", "log_loss", "macro_f1" })
                Assert.True(Math.Abs(CliSample.Fact(zip.StdOut, fact) - CliSample.Fact(ckpt.StdOut, fact)) <= 1e-4, $"{fact} differs\n{zip}\n{ckpt}");
            Assert.True(File.Exists(Path.Combine(folder, "ckpt.html")), ckpt.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Should_ExitWithModelMismatch_When_CheckpointIsNotOne()
    {
        var folder = CliSample.NewTempFolder("bad-ckpt");
        try
        {
            var fake = Path.Combine(folder, "model.ckpt");
            await File.WriteAllTextAsync(fake, "not a checkpoint at all");
            var r = await CliProcess.RunAsync(trained.Root, Limit, "predict", fake, CliSample.Folder);
            Assert.True(r.ExitCode == 5, r.ToString());
            Assert.StartsWith($"error: '{fake}' is not a checkpoint written by 'mlnet-vision train'", r.StdErr.Trim());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
