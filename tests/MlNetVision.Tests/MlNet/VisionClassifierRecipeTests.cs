using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MlNetVision.MlNet;
using MlNetVision.Native;
using MlNetVision.Tests.Interpretation;
using MlNetVision.Training;

namespace MlNetVision.Tests.MlNet;

/// <summary>The estimator runs the whole lesson (LR finder, report) in the caller's MLContext (log, seed, cancellation).</summary>
public sealed partial class VisionClassifierRecipeTests : IDisposable
{
    private static readonly string[] Classes = ["trouser", "bag", "sneaker"];
    private readonly string _folder = Directory.CreateTempSubdirectory("mlnv-recipe-").FullName;

    public VisionClassifierRecipeTests() => NativeBackend.EnsureLoaded();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Microsoft.ML.Experimental's public <c>mlContext.CancelExecution()</c> calls this method, internal to Microsoft.ML 5.</summary>
    private static void CancelExecution(MLContext ml) =>
        typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)!.Invoke(ml, null);

    private static List<LoggingEventArgs> Listen(MLContext ml)
    {
        var log = new List<LoggingEventArgs>();
        ml.Log += (_, e) => { lock (log) log.Add(e); };
        return log;
    }

    private static List<string> Messages(List<LoggingEventArgs> log)
    {
        lock (log) return log.Where(e => e.Source.StartsWith(VisionClassifierTrainer.RegistrationName, StringComparison.Ordinal)).Select(e => e.RawMessage).ToList();
    }

    [Fact]
    public void Should_FindTheRateLogToTheContextAndWriteALoadableReport_When_LrIsAutoAndReportPathSet()
    {
        HeadlessChromium.Executable(); // fails naming the Debian package when absent
        var ml = new MLContext(seed: 3);
        var log = Listen(ml);
        var broken = Path.Combine(_folder, "broken.png");
        File.WriteAllBytes(broken, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var train = ml.Data.LoadFromEnumerable([.. SampleData.Rows("train", Classes, perClass: 24), new SampleData.ImageRow { ImagePath = broken, Label = "bag" }]);
        var reportPath = Path.Combine(_folder, "report", "report.html");
        var trainer = ml.MulticlassClassification.Trainers.VisionClassifier(new VisionClassifierOptions
        {
            ImageSize = 32, BatchSize = 8, FrozenEpochs = 1, UnfrozenEpochs = 1, LrFindIterations = 12,
            UnfrozenLearningRate = LearningRate.Auto, ReportPath = reportPath,
        });
        using var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer).Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(train);

        // The finder ran after unfreezing, and the chosen rate lies inside its sweep and follows the documented rule.
        var record = trainer.LastFineTune!;
        var found = record.LrFind!;
        Assert.InRange(found.LearningRates.Count, 2, 12);
        var chosen = record.Unfrozen!.LearningRate;
        Assert.InRange(chosen.High, found.LearningRates.Min(), found.LearningRates.Max());
        Assert.Equal(FineTuneRecipe.ChooseRate(found, LearningRate.Slice(3e-3)).Rate, chosen);
        Assert.Equal(chosen.High / 100, chosen.Low!.Value, chosen.High * 1e-12);
        Assert.Equal(0, record.Unfrozen.FrozenGroups);
        Assert.Equal(LearningRate.Auto, record.UnfrozenLearningRateRequested);
        Assert.Single(record.Frozen!.Epochs);
        Assert.Single(record.Unfrozen.Epochs);

        // The caller's log got the skipped file as a warning, the steps, each epoch and the chosen rate (the same text as the record's).
        lock (log) Assert.Contains(log, e => e.Kind == ChannelMessageKind.Warning && e.RawMessage.Contains("broken.png") && e.Source.StartsWith("VisionClassifier"));
        var messages = Messages(log);
        Assert.Contains(messages, m => m.EndsWith($"learning rate chosen for the unfrozen phase: {chosen}", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("frozen phase epoch 0: train_loss", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("unfrozen phase epoch 0: train_loss", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("seed ", StringComparison.Ordinal) && m.EndsWith("(from the MLContext)", StringComparison.Ordinal));
        Assert.Contains(messages, m => m == $"report {reportPath}");

        // The report has both epoch tables and every picture, and every picture loads in a browser.
        Assert.Equal(reportPath, trainer.LastReportPath);
        var html = File.ReadAllText(reportPath);
        Assert.Contains("Unfrozen phase", html);
        Assert.Contains(chosen.ToString(), html);
        var images = ImgTags().Matches(html).Count;
        Assert.Equal(7, images); // losses, learning rate, LR finder, confusion matrix, top losses, their heat maps, frozen-phase losses
        var probe = Path.Combine(_folder, "report", "probe.html");
        File.WriteAllText(probe, html.Replace("<head>\n", "<head>\n" + MlNetVision.Tests.Rendering.HtmlReportTests.ImageCheckScript + "\n"));
        Assert.Contains($"data-images=\"{images}/{images}\"", HeadlessChromium.DumpDom(probe));
    }

    [Fact]
    public void Should_StopWithinOneBatchAndDeleteTheWorkspace_When_TheContextOrTheTokenCancels()
    {
        foreach (var byContext in new[] { true, false })
        {
            var ml = new MLContext(seed: 1);
            var log = Listen(ml);
            using var cts = new CancellationTokenSource();
            int batches = 0, afterCancel = 0;
            bool cancelled = false;
            var trainer = ml.MulticlassClassification.Trainers.VisionClassifier(new VisionClassifierOptions
            {
                ImageSize = 32, BatchSize = 8, FrozenEpochs = 3, UnfrozenEpochs = 1, UnfrozenLearningRate = LearningRate.Slice(1e-4),
                Augmentation = false, CancellationToken = cts.Token,
                Progress = new SyncProgress(p =>
                {
                    if (p.Kind != TrainingProgressKind.TrainingBatch) return;
                    if (cancelled) { afterCancel++; return; }
                    if (++batches < 2) return;
                    cancelled = true;
                    if (byContext) CancelExecution(ml); else cts.Cancel();
                }),
            });
            var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(SampleData.Rows("train", Classes, perClass: 12)))
                .Transform(ml.Data.LoadFromEnumerable(SampleData.Rows("train", Classes, perClass: 12)));

            Assert.ThrowsAny<OperationCanceledException>(() => trainer.Fit(data));
            Assert.True(cancelled);
            Assert.InRange(afterCancel, 0, 1);
            var workspace = Messages(log).Select(m => Regex.Match(m, "^workspace (.+)$")).Single(m => m.Success).Groups[1].Value;
            Assert.StartsWith(Path.GetTempPath(), workspace);
            Assert.False(Directory.Exists(workspace), $"{workspace} was left behind (cancelled by {(byContext ? "the context" : "the token")})");
            Assert.Null(trainer.LastFineTune);
        }
    }

    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    [GeneratedRegex("<img ")]
    private static partial Regex ImgTags();
}
