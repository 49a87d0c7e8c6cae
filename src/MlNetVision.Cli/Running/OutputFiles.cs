namespace MlNetVision.Cli.Running;

/// <summary>
/// The names of the files <c>mlnet-vision</c> writes into its output folder (docs/CLI.md lists them): one place for the
/// command that writes a file and the commands that read it back.
/// </summary>
public static class OutputFiles
{
    /// <summary>The checkpoint's name without its extension: <c>train</c> writes <c>model.ckpt</c>, <c>predict --heatmap</c> reads it next to the model.zip.</summary>
    public const string CheckpointName = "model";

    /// <summary>The trained network as ONNX.</summary>
    public const string Onnx = "model.onnx";

    /// <summary>The stock ML.NET model that <c>evaluate</c> and <c>predict</c> read (also when they are given its folder).</summary>
    public const string Zip = "model.zip";

    /// <summary>The HTML report of <c>train</c>.</summary>
    public const string TrainingReport = "report.html";

    /// <summary>The HTML report of <c>evaluate</c>, next to the model unless <c>--report</c> names another path.</summary>
    public const string EvaluationReport = "evaluation.html";

    /// <summary>The learning-rate finder's plot (<c>lr-find</c>, and <c>train --lr auto</c>).</summary>
    public const string LrFindPlot = "lr-find.png";

    /// <summary>The learning-rate schedule of <c>train</c>'s whole run.</summary>
    public const string LrSchedulePlot = "lr-schedule.png";

    /// <summary>The loss plot of one <c>train</c> phase (<c>losses-frozen.png</c>, <c>losses-unfrozen.png</c>).</summary>
    public static string LossesPlot(string phase) => $"losses-{phase}.png";
}
