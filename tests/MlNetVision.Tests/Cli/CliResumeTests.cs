using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.Native;
using MlNetVision.Training;

namespace MlNetVision.Tests.Cli;

/// <summary>
/// <c>mlnet-vision train --resume OUT</c>: a run killed with SIGKILL after an epoch, then resumed, writes the same final
/// weights as a run never killed (Fashion-MNIST sample, 4 classes, 32 px, batches of 8).
/// </summary>
[Collection(CliProcessCollection.Name)]
public class CliResumeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);
    private static readonly string[] Classes = ["bag", "coat", "sandal", "trouser"];

    private static string[] Train(string data, params string[] more) =>
        ["train", data, "--size", "32", "--bs", "8", "--frozen-epochs", "2", "--unfrozen-epochs", "1", "--lr", "1e-4:1e-3", "--seed", "3", "--device", "cpu", .. more];

    private static string Data(string root)
    {
        var data = Path.Combine(root, "data");
        CliSample.CopyClasses(Path.Combine(data, "train"), "train", Classes, 10);
        CliSample.CopyClasses(Path.Combine(data, "valid"), "valid", Classes, 4);
        return data;
    }

    [Fact]
    public async Task Should_WriteTheWeightsOfAnUninterruptedRun_When_AKilledRunIsResumed()
    {
        using var root = new TempFolder("resume");
        var data = Data(root);
        var reference = await CliProcess.RunAsync(root, Limit, Train(data, "--out", "ref"));
        Assert.True(reference.ExitCode == 0, reference.ToString());

        // Kill -9 as soon as the first epoch's checkpoint is on disk: no handler runs, the process just ends.
        var checkpoint = Path.Combine(root, "run", "model" + Checkpoint.Extension); // OutputFiles.CheckpointName
        using (var process = CliProcess.Start(root, Train(data, "--out", "run")))
        {
            var output = CliProcess.WaitAsync(process, Limit, ["train"]);
            var deadline = DateTime.UtcNow + Limit;
            while (!File.Exists(checkpoint) && !process.HasExited && DateTime.UtcNow < deadline) await Task.Delay(10);
            process.Kill(entireProcessTree: true);
            var killed = await output;
            Assert.True(killed.ExitCode != 0, "the run ended before it could be killed:\n" + killed);
        }
        var stopped = Checkpoint.ReadInfo(checkpoint).Training!.Fit!;
        Assert.False(stopped is { Phase: FineTuneStepKind.Unfrozen, EpochsCompleted: 1 }, "the killed run had finished training");
        Assert.False(File.Exists(Path.Combine(root, "run", "model.zip")));

        var resumed = await CliProcess.RunAsync(root, Limit, Train(data, "--resume", "run"));
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains($"Resuming from {checkpoint}: {(stopped.Phase == FineTuneStepKind.Frozen ? "frozen" : "unfrozen")} phase, {stopped.EpochsCompleted} of", resumed.StdOut + resumed.StdErr);
        // The resumed run's model.zip scores through stock ML.NET exactly as the uninterrupted run's does.
        var image = Directory.GetFiles(Path.Combine(data, "valid", "coat"))[0];
        Assert.Equal(Score(Path.Combine(root, "ref", "model.zip"), image), Score(Path.Combine(root, "run", "model.zip"), image));

        NativeBackend.EnsureLoaded();
        var (expected, _) = Checkpoint.LoadModel(Path.Combine(root, "ref", "model.ckpt"));
        var (actual, info) = Checkpoint.LoadModel(checkpoint);
        using (expected)
        using (actual)
        {
            Assert.Equal(Classes, info.Classes);
            Assert.Equal((FineTuneStepKind.Unfrozen, 1), (info.Training!.Fit!.Phase!.Value, info.Training.Fit.EpochsCompleted));
            var want = expected.state_dict();
            var got = actual.state_dict();
            Assert.Equal(want.Keys.Order(), got.Keys.Order());
            foreach (var (name, value) in want)
                Assert.True(value.contiguous().bytes.SequenceEqual(got[name].contiguous().bytes), $"{name} differs");
        }
    }

    /// <summary>The Score column stock ML.NET gives one image through a model.zip.</summary>
    private static float[] Score(string modelZip, string image)
    {
        var ml = new MLContext();
        var model = ml.Model.Load(modelZip, out _);
        using var owner = (IDisposable)model; // deletes ML.NET's temporary ONNX copy
        var scored = model.Transform(ml.Data.LoadFromEnumerable(new[] { new PathRow { ImagePath = image } }));
        var score = scored.GetColumn<float[]>("Score").Single();
        Assert.Equal(Classes.Length, score.Length);
        return score;
    }

    [Fact]
    public async Task Should_ExplainTheProblem_When_ResumeHasNoCheckpointOrClashesWithOut()
    {
        using var root = new TempFolder("resume-bad");
        var data = Data(root);
        var clash = await CliProcess.RunAsync(root, Limit, Train(data, "--resume", "run", "--out", "other"));
        Assert.Equal(2, clash.ExitCode);
        Assert.Contains("--resume run continues the run in that folder; --out other names another one", clash.StdErr);

        var missing = await CliProcess.RunAsync(root, Limit, Train(data, "--resume", "empty"));
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("--resume: there is no checkpoint", missing.StdErr);
    }
}
