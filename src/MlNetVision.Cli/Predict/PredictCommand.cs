using System.CommandLine;
using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Running;

namespace MlNetVision.Cli.Predict;

/// <summary><c>mlnet-vision predict model.zip image|folder</c>: the class and its probability for each image.</summary>
public static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliApp app)
    {
        var model = ModelFile.Argument();
        var input = new Argument<string>("input") { Description = "An image file, or a folder whose images (in any subfolder) are predicted." };
        var json = new Option<bool>("--json") { Description = "Write a JSON array instead of text." };
        var top = CommonOptions.IntOption("--top", "How many classes to list per image, most probable first.", 1, 1, 1000, "k");
        var heatMap = new Option<string?>("--heatmap")
        {
            Description = "Also write, per image, a PNG of where the model looked (Grad-CAM of the predicted class) to this folder. Needs the model.ckpt that train writes next to model.zip.",
            HelpName = "folder",
        };
        var command = new Command("predict", "Predict the class of an image or of every image in a folder, with its probability.")
        {
            model, input, json, top, heatMap,
        };
        app.SetRunner(command, parse => new PredictSettings(parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(json), parse.GetValue(top), parse.GetValue(heatMap)), PredictRunner.Run);
        return command;
    }
}
