using System.Globalization;
using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;
using MlNetVision.Cli.Scoring;
using MlNetVision.Data;
using MlNetVision.Interpretation;
using MlNetVision.Rendering;

namespace MlNetVision.Cli.Evaluate;

/// <summary>
/// Runs <c>evaluate</c>: scores labelled images with the model.zip through stock ML.NET, then prints what
/// <see cref="ClassificationInterpretation"/> computes from the scores (accuracy, per-class metrics, most confused
/// pairs, confusion matrix) and writes the HTML report.
/// </summary>
public static class EvaluateRunner
{
    /// <summary>Evaluates; returns the exit code.</summary>
    public static ExitCode Run(EvaluateSettings settings, CliOutput output, CancellationToken cancellation)
    {
        var modelPath = ModelFile.RequireExisting(settings.Model);
        var input = DataInput.Resolve(settings.Data);
        using var model = ScoringModel.Load(modelPath);
        var images = LabelledImages.Read(input);

        var unknown = images.Files.Select(f => f.Label).Distinct().Where(l => !model.Classes.Contains(l)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            throw CliException.ModelMismatch(
                $"The model was made for other classes: the data has {Preview(unknown)} that the model does not know (model classes: {Preview(model.Classes)}).");

        var readable = new List<LabelledFile>();
        var skipped = new List<string>();
        foreach (var file in images.Files)
        {
            if (ImageProbe.Problem(file.Path) is { } problem) skipped.Add($"{file.Path}: {problem}");
            else readable.Add(file);
        }
        if (skipped.Count > 0)
            output.Warning($"skipped {skipped.Count} unreadable image(s):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", skipped)}");
        if (readable.Count == 0) throw CliException.BadData($"No readable image in '{input.Path}'.");

        output.Status($"Scoring {readable.Count} images from {input.Path} ({images.Description}) with {modelPath} ...");
        var interpretation = model.Interpret(readable, cancellation);

        output.Heading("Evaluation");
        output.Fact("model", modelPath);
        output.Fact("data", $"{input.Path} ({images.Description})");
        output.Fact("images", interpretation.Count.ToString(CultureInfo.InvariantCulture));
        output.Fact("accuracy", CliOutput.Number(interpretation.Accuracy()));
        output.Fact("error_rate", CliOutput.Number(1 - interpretation.Accuracy()));
        output.Fact("log_loss", CliOutput.Number(interpretation.MeanLoss()));
        output.Fact("macro_f1", CliOutput.Number(interpretation.MacroF1()));

        output.Heading("Per-class metrics");
        output.Table(["class", "precision", "recall", "f1", "support"], interpretation.PerClassMetrics().Select(m => (IReadOnlyList<string>)
            [m.Name, CliOutput.Number(m.Precision), CliOutput.Number(m.Recall), CliOutput.Number(m.F1), m.Support.ToString(CultureInfo.InvariantCulture)]));

        output.Heading($"Most confused (top {settings.Top})");
        var confused = interpretation.MostConfused().Take(settings.Top).ToList();
        if (confused.Count == 0) output.Line("none: every image was classified correctly");
        else output.Table(["actual", "predicted", "count"], confused.Select(p => (IReadOnlyList<string>)
            [p.ActualClass, p.PredictedClass, p.Count.ToString(CultureInfo.InvariantCulture)]));

        output.Heading("Confusion matrix (rows actual, columns predicted)");
        foreach (var line in InterpretationTextTables.ConfusionMatrix(interpretation).TrimEnd('\n').Split('\n')) output.Line(line);

        var reportPath = settings.Report ?? Path.Combine(Path.GetDirectoryName(modelPath)!, OutputFiles.EvaluationReport);
        OutputFolder.Create(Path.GetDirectoryName(Path.GetFullPath(reportPath))!);
        var report = new TrainingReport
        {
            Title = $"mlnet-vision evaluate: {Path.GetFileName(modelPath)} on {Path.GetFileName(input.Path)}",
            Summary =
            [
                new("model", modelPath),
                new("data", $"{input.Path} ({images.Description})"),
                new("classes", $"{model.Classes.Count}: {string.Join(", ", model.Classes)}"),
                new("images", interpretation.Count.ToString(CultureInfo.InvariantCulture)),
                new("skipped", skipped.Count.ToString(CultureInfo.InvariantCulture)),
            ],
            Interpretation = interpretation,
        };
        var written = HtmlReport.Save(report, reportPath);
        output.Heading("Files written");
        output.Fact("report", written);
        return ExitCode.Success;
    }

    private static string Preview(IReadOnlyList<string> names) =>
        string.Join(", ", names.Take(8)) + (names.Count > 8 ? $", ... ({names.Count} in all)" : "");
}
