using System.CommandLine;
using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Running;

namespace MlNetVision.Cli.Evaluate;

/// <summary><c>mlnet-vision evaluate model.zip data</c>: accuracy, per-class metrics, most confused pairs, the confusion matrix and the report.</summary>
public static class EvaluateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliApp app)
    {
        var model = ModelFile.Argument();
        var data = new Argument<string>("data") { Description = "Labelled images: a folder of class folders (its valid/ folder if it has one) or a CSV of file,label rows." };
        var report = new Option<string?>("--report") { Description = "Path of the HTML report (default: evaluation.html next to the model).", HelpName = "file" };
        var top = CommonOptions.IntOption("--top", "How many most-confused pairs to print.", 10, 1, 10_000, "n");
        var command = new Command("evaluate", "Evaluate a model.zip on labelled images: accuracy, per-class precision/recall/F1, most confused pairs, the confusion matrix and an HTML report.")
        {
            model, data, report, top,
        };
        app.SetRunner(command, parse => new EvaluateSettings(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(report), parse.GetValue(top)), EvaluateRunner.Run);
        return command;
    }
}
