using System.Globalization;
using MlNetVision.Rendering;
using MlNetVision.Training;

namespace MlNetVision.Interpretation;

public sealed partial record TrainingReport
{
    /// <summary>
    /// Fills a report from a learner: the data summary, the recorder's epoch table, loss and learning-rate plots of
    /// the last fit (the recorder restarts with every fit), the LR finder plot when <paramref name="lrFind"/> is given,
    /// and the interpretation of the validation split (computed with <see cref="ClassificationInterpretation.FromLearner"/>
    /// when <paramref name="interpretation"/> is null).
    /// </summary>
    /// <param name="learner">The trained learner.</param>
    /// <param name="lrFind">The result of <c>learner.LrFind()</c>, or null to leave the LR finder section out.</param>
    /// <param name="interpretation">A ready interpretation, or null to compute one on the validation split.</param>
    /// <param name="title">The report title; null for one naming the architecture.</param>
    /// <returns>The report's data, ready for <see cref="HtmlReport.Save"/>.</returns>
    public static TrainingReport FromLearner(Learner learner, LrFindResult? lrFind = null, ClassificationInterpretation? interpretation = null, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var data = learner.Data;
        var recorder = learner.Recorder;
        string Counts(IReadOnlyList<int> perClass) => string.Join(", ", data.Classes.Select((c, i) => $"{c} {perClass[i]}"));
        var summary = new List<KeyValuePair<string, string>>
        {
            new("Data", data.Path),
            new("Classes", data.C.ToString(CultureInfo.InvariantCulture)),
            new("Training items", $"{data.Train.Count} ({Counts(data.TrainCounts)})"),
            new("Validation items", $"{data.Valid.Count} ({Counts(data.ValidCounts)})"),
            new("Image size", $"{data.ImageSize} px, {data.ResizeMethod}"),
            new("Batch size", data.BatchSize.ToString(CultureInfo.InvariantCulture)),
            new("Architecture", learner.Model.Architecture.Name),
        };
        if (data.Test is { } test) summary.Insert(4, new("Test items", test.Count.ToString(CultureInfo.InvariantCulture)));
        if (data.Skipped.Count > 0) summary.Add(new("Skipped inputs", data.Skipped.Count.ToString(CultureInfo.InvariantCulture)));

        var epochs = recorder.Epochs.Select(e => new EpochRow(e.Epoch, e.TrainLoss, e.ValidLoss,
            e.Metrics.Select(m => new MetricValue(m.Key, m.Value)).ToArray(), e.Duration)).ToArray();

        return new TrainingReport
        {
            Title = title ?? $"Training report: {learner.Model.Architecture.Name}",
            Summary = summary,
            Epochs = epochs,
            LossPlot = recorder.SmoothLosses.Count > 0 ? RecorderPlots.RenderLosses(recorder) : null,
            LearningRatePlot = recorder.LearningRates.Count > 0 ? RecorderPlots.RenderLearningRate(recorder) : null,
            LrFinderPlot = lrFind is null ? null : RecorderPlots.RenderLrFind(lrFind),
            Interpretation = interpretation ?? ClassificationInterpretation.FromLearner(learner),
        };
    }
}
