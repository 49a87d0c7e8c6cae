using System.Globalization;
using System.Net;
using System.Text;
using MlNetVision.Interpretation;
using MlNetVision.IO;

namespace MlNetVision.Rendering;

/// <summary>
/// Writes a <see cref="TrainingReport"/> as one self-contained HTML file: inline CSS, every picture embedded as a
/// <c>data:</c> URI, no scripts, and a content-security policy that forbids any network request, so the file opens
/// from disk anywhere.
/// </summary>
/// <remarks>
/// Sections, each left out when its data is absent: data summary, per-epoch table, loss and learning-rate plots,
/// LR finder, confusion matrix, most confused pairs, per-class metrics, top losses, more pictures.
/// </remarks>
public static class HtmlReport
{
    /// <summary>The content-security policy of every report: only inline styles and <c>data:</c> images.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

    private static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private const string Css = """
        body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1100px; padding: 24px; color: #1d1d1f; background: #fff; }
        h1 { font-size: 1.7em; margin: 0 0 4px; }
        h2 { font-size: 1.25em; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #e3e8ef; }
        nav { font-size: 0.9em; margin: 8px 0 16px; }
        nav a { margin-right: 12px; color: #2163a8; text-decoration: none; }
        table { border-collapse: collapse; font-size: 0.92em; margin: 6px 0 12px; }
        th, td { padding: 4px 12px; border-bottom: 1px solid #e3e8ef; text-align: right; }
        th { background: #f3f6fa; }
        td.text, th.text { text-align: left; }
        figure { margin: 8px 0 16px; }
        figure img { max-width: 100%; height: auto; border: 1px solid #e3e8ef; }
        figcaption { font-size: 0.85em; color: #555; margin-top: 4px; }
        .plots { display: flex; flex-wrap: wrap; gap: 16px; }
        .plots > figure { flex: 1 1 0; min-width: 320px; margin: 0; }
        .muted { color: #666; font-size: 0.9em; }
        """;

    /// <summary>Renders <paramref name="report"/> as the text of a self-contained HTML page.</summary>
    /// <param name="report">The report's data.</param>
    /// <param name="options">How to render the interpretation; null for the defaults.</param>
    /// <returns>The HTML document.</returns>
    /// <exception cref="ArgumentException">A picture is not PNG data.</exception>
    public static string Render(TrainingReport report, HtmlReportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        options ??= new HtmlReportOptions();
        var sections = new List<(string Id, string Title, string Body)>();

        if (report.Summary.Count > 0)
            sections.Add(("summary", "Data summary", KeyValueTable(report.Summary)));
        if (report.Epochs.Count > 0)
            sections.Add(("epochs", "Training", EpochTable(report.Epochs)));
        var plots = new StringBuilder();
        if (report.LossPlot is { } loss) plots.Append(Figure(loss, "Losses", "Training and validation loss"));
        if (report.LearningRatePlot is { } lr) plots.Append(Figure(lr, "Learning rate", "Learning-rate schedule"));
        if (plots.Length > 0)
            sections.Add(("plots", "Loss and learning rate", $"<div class=\"plots\">{plots}</div>"));
        if (report.LrFinderPlot is { } finder)
            sections.Add(("lr-finder", "Learning-rate finder", Figure(finder, "LR finder", "Loss against learning rate (log scale)")));

        if (report.Interpretation is { } interp)
        {
            var cmPng = ConfusionMatrixPlot.Render(interp, options.ConfusionMatrixPlot.WithNormalize(options.NormalizeConfusionMatrix));
            var caption = string.Create(CultureInfo.InvariantCulture,
                $"{interp.Count} items, accuracy {interp.Accuracy():0.0000}, error rate {1 - interp.Accuracy():0.0000}");
            sections.Add(("confusion", "Confusion matrix", Figure(cmPng, "Confusion matrix", caption)));
            sections.Add(("most-confused", "Most confused", MostConfusedTable(interp, options.MostConfusedMinVal)));
            sections.Add(("per-class", "Per-class metrics", PerClassTable(interp)));
            sections.Add(("top-losses", "Top losses", TopLossesSection(interp, options)));
        }

        if (report.ExtraImages.Count > 0)
            sections.Add(("more", "More pictures", string.Concat(report.ExtraImages.Select(i => $"<h3>{E(i.Title)}</h3>" + Figure(i.Png, i.Title, i.Caption)))));

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append($"<meta http-equiv=\"Content-Security-Policy\" content=\"{ContentSecurityPolicy}\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append($"<title>{E(report.Title)}</title>\n<style>\n{Css}\n</style>\n</head>\n<body>\n");
        html.Append($"<h1>{E(report.Title)}</h1>\n");
        html.Append($"<div class=\"muted\">Written {DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture)} by MlNetVision.</div>\n");
        if (sections.Count == 0)
            html.Append("<p>This report has no data.</p>\n");
        else
            html.Append("<nav>").Append(string.Concat(sections.Select(s => $"<a href=\"#{s.Id}\">{E(s.Title)}</a>"))).Append("</nav>\n");
        foreach (var (id, title, body) in sections)
            html.Append($"<section id=\"{id}\">\n<h2>{E(title)}</h2>\n{body}\n</section>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Writes <paramref name="report"/> as a self-contained HTML file, atomically.</summary>
    /// <param name="report">The report's data.</param>
    /// <param name="path">The HTML file to write.</param>
    /// <param name="options">How to render the interpretation; null for the defaults.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="ArgumentException">A picture is not PNG data.</exception>
    public static string Save(TrainingReport report, string path, HtmlReportOptions? options = null) =>
        AtomicFile.WriteAllText(path, Render(report, options));

    private static string E(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string F(double v, string format = "0.000000") => v.ToString(format, CultureInfo.InvariantCulture);

    private static string Figure(byte[] png, string alt, string? caption)
    {
        ArgumentNullException.ThrowIfNull(png);
        if (png.Length < PngSignature.Length || !png.AsSpan(0, PngSignature.Length).SequenceEqual(PngSignature))
            throw new ArgumentException($"The picture '{alt}' is not PNG data.", nameof(png));
        // The PNG header's IHDR chunk holds the size; giving it lets the page lay out before decoding.
        int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4));
        int height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4));
        var sb = new StringBuilder();
        sb.Append($"<figure><img alt=\"{E(alt)}\" width=\"{width}\" height=\"{height}\" src=\"data:image/png;base64,");
        sb.Append(Convert.ToBase64String(png)).Append("\">");
        if (!string.IsNullOrEmpty(caption)) sb.Append($"<figcaption>{E(caption)}</figcaption>");
        return sb.Append("</figure>\n").ToString();
    }

    private static string Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int textColumns = 1)
    {
        var sb = new StringBuilder("<table>\n<thead><tr>");
        for (int j = 0; j < headers.Count; j++) sb.Append(j < textColumns ? "<th class=\"text\">" : "<th>").Append(E(headers[j])).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            sb.Append("<tr>");
            for (int j = 0; j < row.Count; j++) sb.Append(j < textColumns ? "<td class=\"text\">" : "<td>").Append(E(row[j])).Append("</td>");
            sb.Append("</tr>\n");
        }
        return sb.Append("</tbody>\n</table>\n").ToString();
    }

    private static string KeyValueTable(IReadOnlyList<KeyValuePair<string, string>> pairs) =>
        "<table>\n<tbody>\n"
        + string.Concat(pairs.Select(p => $"<tr><th class=\"text\">{E(p.Key)}</th><td class=\"text\">{E(p.Value)}</td></tr>\n"))
        + "</tbody>\n</table>\n";

    private static string EpochTable(IReadOnlyList<EpochRow> epochs)
    {
        var metricNames = epochs.SelectMany(e => e.Metrics.Select(m => m.Name)).Distinct().ToList();
        bool anyTime = epochs.Any(e => e.Time is not null);
        var headers = new List<string> { "epoch", "train_loss", "valid_loss" };
        headers.AddRange(metricNames);
        if (anyTime) headers.Add("time");
        var rows = epochs.Select(e =>
        {
            var row = new List<string> { e.Epoch.ToString(CultureInfo.InvariantCulture), F(e.TrainLoss), e.ValidLoss is { } v ? F(v) : "" };
            row.AddRange(metricNames.Select(n => e.Metrics.FirstOrDefault(m => m.Name == n) is { } m ? F(m.Value) : ""));
            if (anyTime) row.Add(e.Time is { } t ? t.ToString(@"mm\:ss", CultureInfo.InvariantCulture) : "");
            return (IReadOnlyList<string>)row;
        });
        return Table(headers, rows, textColumns: 0);
    }

    private static string MostConfusedTable(ClassificationInterpretation interp, int minVal)
    {
        var pairs = interp.MostConfused(minVal);
        if (pairs.Count == 0)
            return $"<p>No pair of classes was confused {minVal} time{(minVal == 1 ? "" : "s")} or more.</p>\n";
        return Table(["actual", "predicted", "count"],
            pairs.Select(p => (IReadOnlyList<string>)[p.ActualClass, p.PredictedClass, p.Count.ToString(CultureInfo.InvariantCulture)]), textColumns: 2);
    }

    private static string PerClassTable(ClassificationInterpretation interp)
    {
        var rows = interp.PerClassMetrics().Select(m => (IReadOnlyList<string>)
            [m.Name, F(m.Precision, "0.0000"), F(m.Recall, "0.0000"), F(m.F1, "0.0000"), m.Support.ToString(CultureInfo.InvariantCulture)]);
        return Table(["class", "precision", "recall", "f1", "support"], rows)
            + $"<p class=\"muted\">Accuracy {F(interp.Accuracy(), "0.0000")}, macro F1 {F(interp.MacroF1(), "0.0000")}, mean loss {F(interp.MeanLoss(), "0.0000")}.</p>\n";
    }

    private static string TopLossesSection(ClassificationInterpretation interp, HtmlReportOptions options)
    {
        var sb = new StringBuilder();
        if (interp.Items is not null && interp.Count > 0)
            sb.Append(Figure(TopLossesPlot.Render(interp, options.TopLosses, options.TopLossesPlot), "Top losses",
                "Each title: predicted/actual, then loss / probability of the actual class."));
        if (options.TopLossesHeatMaps && interp.HasHeatMaps && interp.Count > 0)
            sb.Append(Figure(TopLossesPlot.Render(interp, options.TopLosses, options.TopLossesPlot.WithHeatMap()), "Top losses, heat maps",
                $"Where the model looked: Grad-CAM of the {(options.TopLossesPlot.HeatMapTarget == HeatMapTarget.Actual ? "actual" : "predicted")} class over the image the model saw (bright = strongest evidence for that class)."));
        var rows = interp.TopLosses(options.TopLosses, options.TopLossesPlot.Largest).Select(t => (IReadOnlyList<string>)
        [
            interp.Items?.Path(t.Index) is { } d ? Path.GetFileName(d) : t.Index.ToString(CultureInfo.InvariantCulture),
            t.PredictedClass, t.ActualClass, F(t.Loss, "0.0000"), F(t.ProbabilityOfActual, "0.0000"),
        ]);
        sb.Append(Table(["item", "predicted", "actual", "loss", "probability of actual"], rows, textColumns: 3));
        return sb.ToString();
    }
}
