using System.Globalization;
using MlNetVision.Rendering;
using MlNetVision.Training;

namespace MlNetVision.Interpretation;

public sealed partial record TrainingReport
{
    /// <summary>
    /// Fills a report from a <see cref="FineTuneRecipe"/> run: what <see cref="FromLearner"/> gives (data summary,
    /// learning-rate schedule of the last phase, interpretation of the validation split), with the epoch rows of both
    /// phases (frozen first), a summary line per phase and for the learning-rate finder, the finder's plot, the last
    /// phase's loss plot and the frozen phase's loss plot as an extra picture. The command line's <c>train</c> and the
    /// ML.NET estimator's <c>ReportPath</c> both write this.
    /// </summary>
    /// <param name="learner">The learner the recipe trained.</param>
    /// <param name="record">What the recipe returned.</param>
    /// <param name="interpretation">A ready interpretation, or null to compute one on the validation split.</param>
    /// <param name="title">The report title; null for one naming the architecture.</param>
    /// <param name="extraSummary">More summary lines (for example the seed), appended after the recipe's.</param>
    /// <returns>The report's data, ready for <see cref="HtmlReport.Save"/>.</returns>
    public static TrainingReport FromFineTune(Learner learner, FineTuneResult record, ClassificationInterpretation? interpretation = null, string? title = null,
        IEnumerable<KeyValuePair<string, string>>? extraSummary = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        ArgumentNullException.ThrowIfNull(record);
        var report = FromLearner(learner, record.LrFind, interpretation, title);
        var summary = report.Summary.ToList();
        string Rows(FineTunePhaseResult p) => p.Epochs.Count.ToString(CultureInfo.InvariantCulture);
        string Frozen(FineTunePhaseResult p) => p.FrozenGroups == 0 ? "whole network" : $"first {p.FrozenGroups} layer group(s) frozen";
        summary.Add(new("Frozen phase", record.Frozen is { } f
            ? $"{Rows(f)} epoch(s), fit_one_cycle max_lr {f.LearningRate}, {Frozen(f)}{Stopped(f)}" : "skipped"));
        if (record.LrFind is { } lr)
            summary.Add(new("Learning-rate finder", $"{lr.LearningRates.Count} iterations, valley {Rate(lr.Valley)}, steepest {Rate(lr.Steepest)}, min/10 {Rate(lr.MinimumDiv10)}"));
        summary.Add(new("Unfrozen phase", record.Unfrozen is { } u
            ? $"{Rows(u)} epoch(s), fit_one_cycle max_lr {u.LearningRate} (asked: {record.UnfrozenLearningRateRequested}), {Frozen(u)}{Stopped(u)}" : "skipped"));
        if (record.UnfrozenBeatFrozen is { } beat)
            summary.Add(new("Unfrozen vs frozen", $"valid_loss {record.Unfrozen!.Last!.ValidLoss.ToString("0.000000", CultureInfo.InvariantCulture)} vs " +
                $"{record.Frozen!.Last!.ValidLoss.ToString("0.000000", CultureInfo.InvariantCulture)}: the unfrozen phase {(beat ? "improved on" : "did not improve on")} the frozen one"));
        if (extraSummary is not null) summary.AddRange(extraSummary);

        var phases = record.Phases;
        var extra = phases.Count > 1
            ? new List<ReportImage> { new("Frozen phase losses", RecorderPlots.RenderLosses(phases[0].Recorder)) }
            : [];
        return report with
        {
            Summary = summary,
            Epochs = record.Epochs.Select(e => new EpochRow(e.Epoch, e.TrainLoss, e.ValidLoss, e.Metrics.Select(m => new MetricValue(m.Key, m.Value)).ToArray(), e.Duration)).ToArray(),
            LossPlot = phases.Count > 0 ? RecorderPlots.RenderLosses(phases[^1].Recorder) : report.LossPlot,
            ExtraImages = [.. report.ExtraImages, .. extra],
        };
    }

    private static string Rate(double? v) => v?.ToString("0.00e+00", CultureInfo.InvariantCulture) ?? "n/a";

    private static string Stopped(FineTunePhaseResult p) => p.StopReason is { } why ? $", stopped early: {why}" : "";
}
