using MlNetVision.Native;
using MlNetVision.Training;

namespace MlNetVision.Tests.Cli;

/// <summary><c>train</c> with fastai v2's extras: <c>--label-smoothing</c>, <c>--cutmix</c>/<c>--mixup</c>, <c>--accumulate</c>.</summary>
[Collection(CliProcessCollection.Name)]
public class CliTrainExtrasTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task Should_NameTheLossAndCallbacksAndValidateWithTheSmoothedLoss_When_ExtrasAreGiven()
    {
        using var root = new TempFolder("extras");
        string[] classes = ["bag", "trouser"];
        CliSample.CopyClasses(Path.Combine(root, "data", "train"), "train", classes, 16);
        CliSample.CopyClasses(Path.Combine(root, "data", "valid"), "valid", classes, 6);

        var r = await CliProcess.RunAsync(root, Limit, "train", "data", "--size", "32", "--bs", "8", "--frozen-epochs", "1", "--unfrozen-epochs", "0",
            "--label-smoothing", "0.1", "--cutmix", "1", "--accumulate", "16", "--out", "out");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("loss_func=label_smoothing_cross_entropy(eps=0.1), cbs=[CutMix(alpha=1), GradientAccumulation(n_acc=16)]", r.StdOut);
        var row = Assert.Single(CliSample.EpochRows(r.StdOut));

        // The checkpoint loads on its own, and its probabilities give the printed valid_loss as label-smoothed cross-entropy.
        NativeBackend.EnsureLoaded();
        using var predictor = VisionPredictor.Load(Path.Combine(root, "out", "model.ckpt"));
        Assert.Equal(classes, predictor.Classes);
        double smoothed = 0;
        int n = 0;
        foreach (var (label, name) in classes.Select((c, i) => (i, c)))
            foreach (var item in predictor.PredictFolder(Path.Combine(root, "data", "valid", name)).Items)
            {
                var logs = item.Prediction.Probabilities.Select(p => Math.Log(p)).ToArray();
                smoothed += -0.1 / logs.Length * logs.Sum() - 0.9 * logs[label];
                n++;
            }
        Assert.Equal(12, n);
        Assert.Equal(smoothed / n, row[2], 3);
    }

    [Theory]
    [InlineData("--mixup and --cutmix are both given", "--mixup", "0.4", "--cutmix", "1")]
    [InlineData("--label-smoothing: The smoothing must be between 0 and 1.", "--label-smoothing", "2")]
    [InlineData("--accumulate:", "--accumulate", "0")]
    public async Task Should_RefuseTheFlags_When_TheirValuesCannotTrain(string message, params string[] flags)
    {
        var r = await CliProcess.RunAsync(["train", "--size", "32", .. flags]);
        Assert.True(r.ExitCode == 2, r.ToString()); // ExitCode.UsageError
        Assert.Contains(message, r.StdErr);
    }
}
