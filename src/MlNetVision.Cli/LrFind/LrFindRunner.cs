using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;
using MlNetVision.Rendering;
using MlNetVision.Training;

namespace MlNetVision.Cli.LrFind;

/// <summary>Runs <c>lr-find</c> on the library: <c>cnn_learner</c> (then <c>unfreeze()</c> with <c>--unfreeze</c>) and <c>lr_find()</c>.</summary>
public static class LrFindRunner
{
    /// <summary>Runs the sweep; returns the exit code.</summary>
    public static ExitCode Run(LrFindSettings settings, CliOutput output, CancellationToken cancellation)
    {
        using var session = LearnerSession.Open(settings.Data, settings.Architecture, settings.Out, settings.Size, settings.BatchSize, settings.ValidPct,
            settings.Seed, output, "has no pretrained weights shipped: the sweep runs on random weights.", weights: settings.Weights, device: settings.Device);
        var (learner, data, view, outDir) = (session.Learner, session.Data, session.View, session.OutputFolder);
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
            return ExitCode.Cancelled;
        }
        var plot = RecorderPlots.LrFind(result, Path.Combine(outDir, OutputFiles.LrFindPlot));
        LrFindRunnerOutput.WriteSuggestions(output, result, plot);
        return ExitCode.Success;
    }
}
