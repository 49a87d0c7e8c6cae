using System.Globalization;
using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.LrFind;
using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;
using MlNetVision.Data;
using MlNetVision.Interpretation;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Training;

namespace MlNetVision.Cli.Train;

/// <summary>
/// Runs <c>train</c> on the library, as lesson 1 does: <c>cnn_learner</c> → <c>fit_one_cycle(epochs, slice(head-lr))</c>
/// with the body frozen → <c>unfreeze()</c> → <c>lr_find()</c> (with <c>--lr auto</c>) → <c>fit_one_cycle(unfreeze-epochs,
/// slice(lo, hi))</c>; then writes the checkpoint, the plots, the HTML report, the ONNX file and the ML.NET model.zip.
/// </summary>
public static class TrainRunner
{
    /// <summary>The checkpoint's name in the output folder (<c>model.ckpt</c>).</summary>
    public const string CheckpointName = "model";

    /// <summary>The report's file name in the output folder.</summary>
    public const string ReportFileName = "report.html";

    /// <summary>The ratio between the head's and the first layer group's rate for <c>--lr auto</c> (fastai v2 <c>fine_tune</c>'s <c>lr_mult=100</c>).</summary>
    public const double AutoLrMult = 100;

    /// <summary>Runs the recipe; returns the exit code.</summary>
    public static int Run(TrainSettings settings, CliOutput output, CancellationToken cancellation)
    {
        using var session = LearnerSession.Open(settings.Data, settings.Architecture, settings.Out, settings.Size, settings.BatchSize, settings.ValidPct,
            settings.Seed, output, "has no pretrained weights shipped: it starts from random weights and the first stage trains the whole network.",
            (data, input) => WriteDataSummary(output, data, input), settings.Weights, settings.Device, settings.AutoBatchSize);
        var (input, architecture, outDir, data, view, learner) =
            (session.Input, session.Architecture, session.OutputFolder, session.Data, session.View, session.Learner);
        var checkpoint = new CheckpointEachEpoch(CheckpointName);
        var plots = new List<ReportImage>();
        LrFindResult? lrFind = null;
        LearningRate? unfreezeLr = null;
        try
        {
            if (settings.Epochs > 0)
            {
                var lr = LearningRate.Slice(settings.HeadLearningRate);
                checkpoint.Stage = "stage 1";
                view.Run($"Stage 1: body frozen, fit_one_cycle({settings.Epochs}, {lr})",
                    () => learner.FitOneCycle(settings.Epochs, lr, callbacks: [checkpoint], cancellationToken: cancellation));
                plots.Add(new ReportImage("Stage 1 losses", File.ReadAllBytes(learner.Recorder.PlotLosses(Path.Combine(outDir, "losses-stage1.png")))));
            }
            if (settings.UnfreezeEpochs > 0)
            {
                learner.Unfreeze();
                if (settings.LearningRate.IsAuto)
                {
                    output.Heading("Learning-rate finder (whole network unfrozen)");
                    lrFind = learner.LrFind(numIt: settings.LrFindIterations, cancellationToken: cancellation);
                    var plot = RecorderPlots.LrFind(lrFind, Path.Combine(outDir, "lr-find.png"));
                    LrFindRunnerOutput.WriteSuggestions(output, lrFind, plot);
                    unfreezeLr = AutoRange(lrFind, settings.HeadLearningRate, output);
                }
                else
                {
                    unfreezeLr = settings.LearningRate.Low is { } lo
                        ? LearningRate.Slice(lo, settings.LearningRate.High)
                        : LearningRate.Slice(settings.LearningRate.High);
                }
                checkpoint.Stage = "stage 2";
                view.Run($"Stage 2: unfrozen, fit_one_cycle({settings.UnfreezeEpochs}, {unfreezeLr})",
                    () => learner.FitOneCycle(settings.UnfreezeEpochs, unfreezeLr, callbacks: [checkpoint], cancellationToken: cancellation));
                plots.Add(new ReportImage("Stage 2 losses", File.ReadAllBytes(learner.Recorder.PlotLosses(Path.Combine(outDir, "losses-stage2.png")))));
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            output.Status(checkpoint.LastPath is { } saved
                ? $"Stopped. The last good checkpoint ({checkpoint.LastDescription}) is {saved}."
                : "Stopped before the first epoch ended: no checkpoint was written.");
            return ExitCodes.Cancelled;
        }
        catch (TrainingDivergedException e)
        {
            throw CliException.TrainingFailed(e.Message + (checkpoint.LastPath is { } saved ? $" The last good checkpoint is {saved}." : ""), e);
        }
        catch (InsufficientMemoryException e)
        {
            throw CliException.TrainingFailed(e.Message, e);
        }

        var checkpointPath = checkpoint.LastPath ?? learner.Save(CheckpointName);
        output.Status("Computing predictions on the validation set ...");
        var preds = learner.GetPreds(DatasetSplit.Valid);
        var interpretation = ClassificationInterpretation.FromPredictions(
            data.Classes, preds.Probabilities, preds.Targets, preds.Losses, ItemImageSource.FromPaths(data.Valid.Items.Select(i => i.Path).ToArray()));
        var lrPlot = learner.Recorder.PlotLr(Path.Combine(outDir, "lr-schedule.png"));

        output.Heading("Result on the validation set");
        output.Fact("accuracy", CliOutput.Number(interpretation.Accuracy()));
        output.Fact("error_rate", CliOutput.Number(1 - interpretation.Accuracy()));
        output.Fact("valid_loss", CliOutput.Number(interpretation.MeanLoss()));

        var report = new TrainingReport
        {
            Title = $"mlnet-vision train: {architecture.Name} on {Path.GetFileName(input.Path)}",
            Summary = ReportSummary(data, input, architecture, settings, unfreezeLr),
            Epochs = view.Rows.Select(ToEpochRow).ToList(),
            LossPlot = plots.Count > 0 ? plots[^1].Png : null,
            LearningRatePlot = File.ReadAllBytes(lrPlot),
            LrFinderPlot = lrFind is null ? null : File.ReadAllBytes(Path.Combine(outDir, "lr-find.png")),
            Interpretation = interpretation,
            ExtraImages = plots.Count > 1 ? plots.Take(plots.Count - 1).ToList() : [],
        };
        var reportPath = HtmlReport.Save(report, Path.Combine(outDir, ReportFileName));

        output.Status("Exporting model.onnx and the ML.NET model.zip ...");
        var exported = ModelExport.Export(learner, outDir);

        output.Heading("Files written");
        output.Fact("checkpoint", checkpointPath);
        foreach (var (kind, path) in exported) output.Fact(kind, path);
        output.Fact("report", reportPath);
        return ExitCodes.Success;
    }

    /// <summary>
    /// The range for <c>--lr auto</c>: the top rate is the finder's valley suggestion, capped at a tenth of the head's
    /// rate (the head is already trained); the first group gets it divided by <see cref="AutoLrMult"/>, as fastai v2's
    /// <c>fine_tune</c> spreads its rates.
    /// </summary>
    public static LearningRate AutoRange(LrFindResult result, double headLr, CliOutput output)
    {
        var cap = headLr / 10;
        var suggestion = result.Suggested ?? result.Steepest ?? result.MinimumDiv10;
        if (suggestion is null) output.Warning($"The LR finder gave no suggestion (curve too short); using {cap.ToString("G3", CultureInfo.InvariantCulture)}.");
        var hi = Math.Min(suggestion ?? cap, cap);
        return LearningRate.Slice(hi / AutoLrMult, hi);
    }

    private static void WriteDataSummary(CliOutput output, ImageDataBunch data, DataInput input)
    {
        output.Heading("Data");
        output.Fact("source", input.Path);
        output.Fact("classes", $"{data.C} ({string.Join(", ", data.Classes)})");
        output.Fact("images", $"train {data.Train.Count}, valid {data.Valid.Count}");
        output.Fact("size", $"{data.ImageSize}x{data.ImageSize}, batch size {data.BatchSize}");
    }

    private static List<KeyValuePair<string, string>> ReportSummary(ImageDataBunch data, DataInput input, ResNetArchitecture arch, TrainSettings s, LearningRate? unfreezeLr) =>
    [
        new("data", input.Path),
        new("classes", $"{data.C}: {string.Join(", ", data.Classes)}"),
        new("train images", data.Train.Count.ToString(CultureInfo.InvariantCulture)),
        new("valid images", data.Valid.Count.ToString(CultureInfo.InvariantCulture)),
        new("image size", $"{data.ImageSize}x{data.ImageSize}"),
        new("batch size", data.BatchSize.ToString(CultureInfo.InvariantCulture)),
        new("architecture", arch.Name),
        new("stage 1", $"{s.Epochs} epoch(s), fit_one_cycle max_lr slice({s.HeadLearningRate.ToString("G4", CultureInfo.InvariantCulture)})"),
        new("stage 2", s.UnfreezeEpochs == 0 ? "skipped" : $"{s.UnfreezeEpochs} epoch(s), fit_one_cycle max_lr {unfreezeLr} (--lr {s.LearningRate})"),
        new("seed", s.Seed.ToString(CultureInfo.InvariantCulture)),
    ];

    private static EpochRow ToEpochRow(EpochResult r) =>
        new(r.Epoch, r.TrainLoss, r.ValidLoss, r.Metrics.Select(m => new MetricValue(m.Key, m.Value)).ToList(), r.Duration);
}
