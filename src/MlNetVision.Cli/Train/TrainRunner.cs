using System.Globalization;
using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.LrFind;
using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;
using MlNetVision.Data;
using MlNetVision.Interpretation;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Rendering;
using MlNetVision.Training;

namespace MlNetVision.Cli.Train;

/// <summary>
/// Runs <c>train</c> on the library: <c>cnn_learner</c>, then <see cref="FineTuneRecipe"/> (frozen phase →
/// <c>FreezeTo(--freeze-to)</c> → <c>lr_find()</c> with <c>--lr auto</c> → unfrozen phase), then writes the checkpoint,
/// the plots, the HTML report (<see cref="TrainingReport.FromFineTune"/>), the ONNX file and the ML.NET model.zip.
/// </summary>
public static class TrainRunner
{
    /// <summary>Runs the recipe; returns the exit code.</summary>
    public static ExitCode Run(TrainSettings settings, CliOutput output, CancellationToken cancellation)
    {
        // --resume: a missing or position-less checkpoint is reported before any image is loaded.
        var resumeFrom = settings.Resume ? ResumePoint(Path.GetFullPath(settings.Out), output) : null;
        using var session = LearnerSession.Open(settings.Data, settings.Architecture, settings.Out, settings.Size, settings.BatchSize, settings.ValidPct,
            settings.Seed, output, "has no pretrained weights shipped: it starts from random weights and the frozen phase trains the whole network.",
            (data, input) => WriteDataSummary(output, data, input), settings.Weights, settings.Device, settings.AutoBatchSize);
        var (input, architecture, outDir, data, view, learner) =
            (session.Input, session.Architecture, session.OutputFolder, session.Data, session.View, session.Learner);
        var checkpoint = new CheckpointEachEpoch(OutputFiles.CheckpointName);
        var recipe = new FineTuneOptions
        {
            FrozenEpochs = settings.FrozenEpochs,
            FrozenLearningRate = LearningRate.Slice(settings.HeadLearningRate),
            UnfrozenEpochs = settings.UnfrozenEpochs,
            UnfrozenLearningRate = settings.LearningRate,
            LrFindIterations = settings.LrFindIterations,
            FreezeTo = settings.FreezeTo,
            EarlyStoppingPatience = settings.Patience,
            LabelSmoothing = settings.LabelSmoothing,
            MixUpAlpha = settings.MixUp,
            CutMixAlpha = settings.CutMix,
            AccumulateSamples = settings.AccumulateSamples,
        };
        FineTuneResult record;
        try
        {
            void Step(FineTuneStep step, Action run) => RunStep(step, run, output, view, checkpoint, outDir);
            record = resumeFrom is null
                ? FineTuneRecipe.Run(learner, recipe, [checkpoint], Step, cancellation)
                : FineTuneRecipe.Resume(learner, OutputFiles.CheckpointName, recipe, [checkpoint], Step, cancellation);
        }
        catch (CheckpointMismatchException e)
        {
            throw CliException.ModelMismatch($"--resume: {e.Message}", e);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            output.Status(checkpoint.LastPath is { } saved
                ? $"Stopped. The last good checkpoint ({checkpoint.LastDescription}) is {saved}."
                : "Stopped before the first epoch ended: no checkpoint was written.");
            return ExitCode.Cancelled;
        }
        catch (TrainingDivergedException e)
        {
            throw CliException.TrainingFailed(e.Message + (checkpoint.LastPath is { } saved ? $" The last good checkpoint is {saved}." : ""), e);
        }
        catch (InsufficientMemoryException e)
        {
            throw CliException.TrainingFailed(e.Message, e);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "options")
        {
            throw CliException.Usage($"--freeze-to {settings.FreezeTo}: {e.Message.Split(" (Parameter")[0]}");
        }

        // A resumed run that had no epoch left keeps the checkpoint it loaded (with its position) as it is.
        var checkpointPath = checkpoint.LastPath ?? resumeFrom ?? learner.Save(OutputFiles.CheckpointName);
        foreach (var phase in record.Phases)
            RecorderPlots.Losses(phase.Recorder, Path.Combine(outDir, OutputFiles.LossesPlot(PhaseName(phase.Kind))));
        learner.Recorder.PlotLr(Path.Combine(outDir, OutputFiles.LrSchedulePlot));

        output.Status("Computing predictions on the validation set ...");
        var interpretation = ClassificationInterpretation.FromLearner(learner);
        output.Heading("Result on the validation set");
        output.Fact("accuracy", CliOutput.Number(interpretation.Accuracy()));
        output.Fact("error_rate", CliOutput.Number(1 - interpretation.Accuracy()));
        output.Fact("valid_loss", CliOutput.Number(interpretation.MeanLoss()));
        if (record.UnfrozenBeatFrozen is { } beat)
            output.Fact("unfrozen vs frozen", beat ? "the unfrozen phase lowered valid_loss" : "the unfrozen phase did not lower valid_loss");

        var report = TrainingReport.FromFineTune(learner, record, interpretation, $"mlnet-vision train: {architecture.Name} on {Path.GetFileName(input.Path)}",
            [new("Source", input.Path), new("Seed", settings.Seed.ToString(CultureInfo.InvariantCulture))]);
        var reportPath = HtmlReport.Save(report, Path.Combine(outDir, OutputFiles.TrainingReport));

        output.Status("Exporting model.onnx and the ML.NET model.zip ...");
        var exported = ModelExport.Export(learner, outDir);

        output.Heading("Files written");
        output.Fact("checkpoint", checkpointPath);
        foreach (var (kind, path) in exported) output.Fact(kind, path);
        output.Fact("report", reportPath);
        return ExitCode.Success;
    }

    // --resume: the checkpoint a killed run left, which must hold a position in the recipe.
    private static string ResumePoint(string outDir, CliOutput output)
    {
        var path = Path.Combine(outDir, OutputFiles.CheckpointName + Checkpoint.Extension);
        if (!File.Exists(path)) throw CliException.NotFound($"--resume: there is no checkpoint {path} to continue from.");
        var info = Checkpoint.ReadInfo(path);
        if (info.Training?.Fit is not { Phase: { } phase } fit)
            throw CliException.ModelMismatch($"--resume: {path} holds no position in a training run (it was written by an older version or outside training).");
        output.Status($"Resuming from {path}: {PhaseName(phase)} phase, {fit.EpochsCompleted} of {fit.Epochs} epochs done.");
        return path;
    }

    /// <summary>The file-name word of a phase: <c>frozen</c> or <c>unfrozen</c>.</summary>
    public static string PhaseName(FineTuneStepKind kind) => kind == FineTuneStepKind.Frozen ? "frozen" : "unfrozen";

    private static void RunStep(FineTuneStep step, Action run, CliOutput output, TrainingView view, CheckpointEachEpoch checkpoint, string outDir)
    {
        var title = char.ToUpperInvariant(step.Description[0]) + step.Description[1..];
        if (step.Kind == FineTuneStepKind.LrFind)
        {
            output.Heading(title);
            run();
            return;
        }
        if (step.LrFind is { } found)
        {
            var plot = RecorderPlots.LrFind(found, Path.Combine(outDir, OutputFiles.LrFindPlot));
            LrFindRunnerOutput.WriteSuggestions(output, found, plot);
        }
        if (step.Warning is { } warning) output.Warning(warning);
        checkpoint.Stage = $"{PhaseName(step.Kind)} phase";
        view.Run(title, run);
    }

    private static void WriteDataSummary(CliOutput output, ImageDataBunch data, DataInput input)
    {
        output.Heading("Data");
        output.Fact("source", input.Path);
        output.Fact("classes", $"{data.C} ({string.Join(", ", data.Classes)})");
        output.Fact("images", $"train {data.Train.Count}, valid {data.Valid.Count}");
        output.Fact("size", $"{data.ImageSize}x{data.ImageSize}, batch size {data.BatchSize}");
    }
}
