using MlNetVision.IO;
using MlNetVision.Training;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace MlNetVision.Rendering;

/// <summary>
/// Draws what a <see cref="Recorder"/> or the learning-rate finder computed as PNG bytes (OxyPlot with the embedded
/// font); the path overloads save those bytes atomically.
/// </summary>
public static class RecorderPlots
{
    /// <summary>Smoothed training loss per batch and validation loss at each epoch end (fastai <c>plot_losses</c>).</summary>
    /// <returns>The PNG bytes.</returns>
    public static byte[] RenderLosses(Recorder recorder, int width = 800, int height = 500)
    {
        var model = NewModel("Loss");
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "batches processed" });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "loss" });
        var train = new LineSeries { Title = "train (smoothed)" };
        for (int i = 0; i < recorder.SmoothLosses.Count; i++) train.Points.Add(new DataPoint(i + 1, recorder.SmoothLosses[i]));
        var valid = new LineSeries { Title = "valid", MarkerType = MarkerType.Circle };
        for (int e = 0; e < recorder.Epochs.Count && e < recorder.EpochEnds.Count; e++)
            valid.Points.Add(new DataPoint(recorder.EpochEnds[e], recorder.Epochs[e].ValidLoss));
        model.Series.Add(train);
        model.Series.Add(valid);
        return PlotPng.Render(model, width, height);
    }

    /// <summary>Learning rate of the last layer group and momentum per batch (fastai <c>plot_lr(show_moms=True)</c>).</summary>
    /// <returns>The PNG bytes.</returns>
    public static byte[] RenderLearningRate(Recorder recorder, int width = 800, int height = 500)
    {
        var model = NewModel("Learning rate and momentum");
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "iterations" });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "learning rate", Key = "lr" });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Right, Title = "momentum", Key = "mom" });
        var lr = new LineSeries { Title = "learning rate", YAxisKey = "lr" };
        var mom = new LineSeries { Title = "momentum", YAxisKey = "mom", LineStyle = LineStyle.Dash };
        for (int i = 0; i < recorder.LearningRates.Count; i++)
        {
            lr.Points.Add(new DataPoint(i, recorder.LearningRates[i][^1]));
            mom.Points.Add(new DataPoint(i, recorder.Momentums[i]));
        }
        model.Series.Add(lr);
        model.Series.Add(mom);
        return PlotPng.Render(model, width, height);
    }

    /// <summary>Each metric per epoch (fastai <c>plot_metrics</c>).</summary>
    /// <returns>The PNG bytes.</returns>
    public static byte[] RenderMetrics(Recorder recorder, int width = 800, int height = 500)
    {
        var model = NewModel("Metrics");
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Bottom, Title = "epoch", MinimumMajorStep = 1 });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "value" });
        foreach (var name in recorder.MetricNames)
        {
            var series = new LineSeries { Title = name, MarkerType = MarkerType.Circle };
            for (int e = 0; e < recorder.Epochs.Count; e++) series.Points.Add(new DataPoint(e + 1, recorder.Epochs[e][name]));
            model.Series.Add(series);
        }
        return PlotPng.Render(model, width, height);
    }

    /// <summary>The learning-rate finder's smoothed loss against the learning rate on a log axis, with the suggestions marked (fastai <c>recorder.plot(suggestion=True)</c>).</summary>
    /// <returns>The PNG bytes.</returns>
    public static byte[] RenderLrFind(LrFindResult result, int width = 800, int height = 500)
    {
        var model = NewModel("Learning rate finder");
        model.Axes.Add(new LogarithmicAxis { Position = AxisPosition.Bottom, Title = "learning rate (log scale)" });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = "loss (smoothed)" });
        var curve = new LineSeries { Title = "loss" };
        for (int i = 0; i < result.LearningRates.Count; i++)
            if (double.IsFinite(result.Losses[i])) curve.Points.Add(new DataPoint(result.LearningRates[i], result.Losses[i]));
        model.Series.Add(curve);
        AddMarker(model, result, result.Valley, "valley", OxyColors.Red, MarkerType.Circle);
        AddMarker(model, result, result.Steepest, "steep", OxyColors.Green, MarkerType.Triangle);
        AddMarker(model, result, result.MinimumDiv10, "min/10", OxyColors.Purple, MarkerType.Diamond);
        return PlotPng.Render(model, width, height);
    }

    /// <summary>Saves <see cref="RenderLosses"/> to <paramref name="path"/>, atomically.</summary>
    /// <returns>The full path written.</returns>
    public static string Losses(Recorder recorder, string path, int width = 800, int height = 500) =>
        AtomicFile.WriteAllBytes(path, RenderLosses(recorder, width, height));

    /// <summary>Saves <see cref="RenderLearningRate"/> to <paramref name="path"/>, atomically.</summary>
    /// <returns>The full path written.</returns>
    public static string LearningRate(Recorder recorder, string path, int width = 800, int height = 500) =>
        AtomicFile.WriteAllBytes(path, RenderLearningRate(recorder, width, height));

    /// <summary>Saves <see cref="RenderMetrics"/> to <paramref name="path"/>, atomically.</summary>
    /// <returns>The full path written.</returns>
    public static string Metrics(Recorder recorder, string path, int width = 800, int height = 500) =>
        AtomicFile.WriteAllBytes(path, RenderMetrics(recorder, width, height));

    /// <summary>Saves <see cref="RenderLrFind"/> to <paramref name="path"/>, atomically.</summary>
    /// <returns>The full path written.</returns>
    public static string LrFind(LrFindResult result, string path, int width = 800, int height = 500) =>
        AtomicFile.WriteAllBytes(path, RenderLrFind(result, width, height));

    private static void AddMarker(PlotModel model, LrFindResult result, double? lr, string name, OxyColor color, MarkerType marker)
    {
        if (lr is not { } x) return;
        var series = new ScatterSeries { Title = $"{name}: {x:0.##e+0}", MarkerType = marker, MarkerFill = color, MarkerSize = 6 };
        series.Points.Add(new ScatterPoint(x, result.LossAt(x)));
        model.Series.Add(series);
    }

    private static PlotModel NewModel(string title)
    {
        var model = new PlotModel { Title = title, Background = OxyColors.White };
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.TopRight, LegendPlacement = LegendPlacement.Inside });
        return model;
    }
}
