using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Training;

namespace MlNetVision.Cli.LrFind;

/// <summary>Runs <c>lr-find</c> on the library: <c>cnn_learner</c> (then <c>unfreeze()</c> with <c>--unfreeze</c>) and <c>lr_find()</c>.</summary>
public static class LrFindRunner
{
    /// <summary>The plot's file name in the output folder.</summary>
    public const string PlotFileName = "lr-find.png";

    /// <summary>Runs the sweep; returns the exit code.</summary>
    public static int Run(LrFindSettings settings, CliOutput output, CancellationToken cancellation)
    {
        var input = DataInput.Resolve(settings.Data);
        var architecture = Architectures.Get(settings.Architecture);
        var outDir = OutputFolder.Create(settings.Out);
        NativeBackend.EnsureLoaded();
        if (input.IsSample) output.Status($"No data given: using the sample shipped with the tool ({input.Path}).");
        output.Status($"Loading images from {input.Path} ...");
        using var data = DataBunchFactory.Create(input, settings.Size, settings.BatchSize, settings.ValidPct, settings.Seed, output);
        var pretrained = architecture.Pretrained != PretrainedSource.None;
        if (!pretrained) output.Warning($"{architecture.Name} has no pretrained weights shipped: the sweep runs on random weights.");
        var view = new TrainingView(output);
        using var learner = VisionLearner.Create(data, architecture, new LearnerOptions
        {
            Pretrained = pretrained,
            Seed = settings.Seed,
            ModelDirectory = outDir,
            ProgressWriter = null,
            Progress = view,
        });
        if (settings.Unfreeze) learner.Unfreeze();
        LrFindResult result;
        try
        {
            LrFindResult? found = null;
            view.Run($"Learning-rate finder ({(settings.Unfreeze ? "whole network" : "head only, body frozen")}, {data.C} classes, {data.Train.Count} training images)",
                () => found = learner.LrFind(settings.StartLr, settings.EndLr, settings.Iterations, cancellationToken: cancellation));
            result = found!;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            output.Status("Stopped: the sweep was interrupted, nothing was written.");
            return ExitCodes.Cancelled;
        }
        var plot = RecorderPlots.LrFind(result, Path.Combine(outDir, PlotFileName));
        LrFindRunnerOutput.WriteSuggestions(output, result, plot);
        return ExitCodes.Success;
    }
}
