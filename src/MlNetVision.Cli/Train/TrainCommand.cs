using System.CommandLine;
using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Running;

namespace MlNetVision.Cli.Train;

/// <summary>
/// <c>mlnet-vision train [data]</c>: fastai's lesson-1 recipe. Fit the head with the body frozen, unfreeze, find a
/// learning rate (with <c>--lr auto</c>), fit the whole network with a range; write model.zip, model.onnx, the
/// checkpoint and the HTML report to <c>--out</c>.
/// </summary>
public static class TrainCommand
{
    /// <summary>The default of <c>--epochs</c> (lesson 1: <c>fit_one_cycle(4)</c>).</summary>
    public const int DefaultEpochs = 4;

    /// <summary>The default of <c>--unfreeze-epochs</c> (lesson 1: <c>fit_one_cycle(2, max_lr=slice(1e-6,1e-4))</c>).</summary>
    public const int DefaultUnfreezeEpochs = 2;

    /// <summary>The default of <c>--head-lr</c>: fastai v1's <c>defaults.lr</c>, 3e-3.</summary>
    public const double DefaultHeadLearningRate = 3e-3;

    /// <summary>Builds the command.</summary>
    public static Command Create(CliApp app)
    {
        var data = CommonOptions.DataArgument("A folder of class folders (or train/ and valid/ folders of class folders), or a CSV of file,label rows. Default: the Fashion-MNIST sample shipped with the tool.");
        var arch = CommonOptions.Arch();
        var size = CommonOptions.Size();
        var bs = CommonOptions.BatchSize();
        var epochs = CommonOptions.IntOption("--epochs", "Epochs with the body frozen (only the head learns).", DefaultEpochs, 0, 10_000, "n");
        var unfreezeEpochs = CommonOptions.IntOption("--unfreeze-epochs", "Epochs after unfreezing (the whole network learns).", DefaultUnfreezeEpochs, 0, 10_000, "n");
        var lr = CommonOptions.LearningRate();
        var headLr = CommonOptions.PositiveDouble("--head-lr", "Maximum learning rate of the frozen phase (fastai's default 3e-3).", DefaultHeadLearningRate, "v");
        var lrFindIterations = CommonOptions.IntOption("--lr-find-iterations", "Batches of the LR finder's sweep with --lr auto (fastai: num_it=100).", LrFind.LrFindCommand.DefaultIterations, 2, 100_000, "n");
        var validPct = CommonOptions.ValidPct();
        var output = CommonOptions.Out("Folder for model.zip, model.onnx, the checkpoint, the plots and report.html.");
        var seed = CommonOptions.Seed();
        var weights = CommonOptions.Weights();
        var device = CommonOptions.Device();
        var autoBatchSize = CommonOptions.AutoBatchSize();

        var command = new Command("train", "Train an image classifier: fit the head, unfreeze, find a learning rate, fit the whole network; writes model.zip, model.onnx, the checkpoint and report.html.")
        {
            data, arch, size, bs, epochs, unfreezeEpochs, lr, headLr, lrFindIterations, validPct, output, seed,
            weights, device, autoBatchSize,
        };
        command.SetAction((parse, token) =>
        {
            var settings = new TrainSettings(
                parse.GetValue(data), parse.GetValue(arch)!, parse.GetValue(size), parse.GetValue(bs), parse.GetValue(epochs),
                parse.GetValue(unfreezeEpochs), parse.GetValue(lr)!, parse.GetValue(headLr), parse.GetValue(lrFindIterations), parse.GetValue(validPct),
                parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(weights), parse.GetValue(device)!, parse.GetValue(autoBatchSize));
            if (settings.Epochs + settings.UnfreezeEpochs == 0)
                throw CliException.Usage("--epochs and --unfreeze-epochs are both 0: nothing to train.");
            return Task.FromResult(TrainRunner.Run(settings, app.CreateOutput(parse), token));
        });
        return command;
    }
}
