using System.CommandLine;
using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Running;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using MlNetVision.Training.Losses;

namespace MlNetVision.Cli.Train;

/// <summary>
/// <c>mlnet-vision train [data]</c>: fastai's lesson-1 recipe (<see cref="FineTuneRecipe"/>). Fit the head with the body
/// frozen, unfreeze, find a learning rate (with <c>--lr auto</c>), fit the whole network with a range; write model.zip,
/// model.onnx, the checkpoint and the HTML report to <c>--out</c>. Defaults are <see cref="FineTuneOptions"/>' constants.
/// </summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliApp app)
    {
        var data = CommonOptions.DataArgument("A folder of class folders (or train/ and valid/ folders of class folders), or a CSV of file,label rows. Default: the Fashion-MNIST sample shipped with the tool.");
        var arch = CommonOptions.Arch();
        var size = CommonOptions.Size();
        var bs = CommonOptions.BatchSize();
        var epochs = CommonOptions.IntOption("--frozen-epochs", "Epochs of the frozen phase (body frozen, only the head learns).", FineTuneOptions.DefaultFrozenEpochs, 0, 10_000, "n");
        epochs.Aliases.Add("--epochs");
        var unfreezeEpochs = CommonOptions.IntOption("--unfrozen-epochs", "Epochs of the unfrozen phase (the whole network learns).", FineTuneOptions.DefaultUnfrozenEpochs, 0, 10_000, "n");
        unfreezeEpochs.Aliases.Add("--unfreeze-epochs");
        var lr = CommonOptions.LearningRate();
        var headLr = CommonOptions.PositiveDouble("--head-lr", "Maximum learning rate of the frozen phase, used as slice(v) (fastai's default 3e-3).", FineTuneOptions.DefaultFrozenMaxLearningRate, "v");
        var lrFindIterations = CommonOptions.IntOption("--lr-find-iterations", "Batches of the LR finder's sweep with --lr auto (fastai: num_it=100).", FineTuneOptions.DefaultLrFindIterations, 2, 100_000, "n");
        var freezeTo = CommonOptions.IntOption("--freeze-to", "Layer groups kept frozen in the unfrozen phase (0: all train; ResNets have 3 groups, the last is the head).", FineTuneOptions.DefaultFreezeTo, 0, 100, "n");
        var patience = new Option<int?>("--patience")
        {
            Description = "Stop a phase when valid_loss has not improved for this many epochs (default: never stop early).",
            HelpName = "n",
        };
        var validPct = CommonOptions.ValidPct();
        var output = CommonOptions.Out("Folder for model.zip, model.onnx, the checkpoint, the plots and report.html.");
        var seed = CommonOptions.Seed();
        var weights = CommonOptions.Weights();
        var device = CommonOptions.Device();
        var autoBatchSize = CommonOptions.AutoBatchSize();
        var labelSmoothing = CommonOptions.Optional<double>("--label-smoothing", "Train and validate with label-smoothing cross-entropy of this eps (fastai LabelSmoothingCrossEntropy, eps=0.1). Default: plain cross-entropy.", "eps", v => _ = new LabelSmoothingCrossEntropy(v));
        var mixUp = CommonOptions.Optional<double>("--mixup", "Train with MixUp of this alpha (fastai MixUp, alpha=0.4). Default: off.", "alpha", v => _ = new MixUp(v));
        var cutMix = CommonOptions.Optional<double>("--cutmix", "Train with CutMix of this alpha (fastai CutMix, alpha=1); not with --mixup. Default: off.", "alpha", v => _ = new CutMix(v));
        var accumulate = CommonOptions.Optional<int>("--accumulate", "Accumulate gradients over this many samples per optimiser step (fastai GradientAccumulation n_acc=32). Default: one step per batch.", "samples", v => _ = new GradientAccumulation(v));
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue a stopped or killed run from the last completed epoch in its output folder (folder/model.ckpt); give the same data and options as that run. The folder becomes --out.",
            HelpName = "folder",
        };

        var command = new Command("train", "Train an image classifier: fit the head, unfreeze, find a learning rate, fit the whole network; writes model.zip, model.onnx, the checkpoint and report.html.")
        {
            data, arch, size, bs, epochs, unfreezeEpochs, lr, headLr, lrFindIterations, freezeTo, patience, validPct, output, seed,
            weights, device, autoBatchSize, labelSmoothing, mixUp, cutMix, accumulate, resume,
        };
        app.SetRunner(command, parse =>
        {
            var settings = new TrainSettings(
                parse.GetValue(data), parse.GetValue(arch)!, parse.GetValue(size), parse.GetValue(bs), parse.GetValue(epochs),
                parse.GetValue(unfreezeEpochs), parse.GetValue(lr), parse.GetValue(headLr), parse.GetValue(lrFindIterations), parse.GetValue(freezeTo),
                parse.GetValue(patience), parse.GetValue(validPct),
                parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(weights), parse.GetValue(device)!, parse.GetValue(autoBatchSize),
                parse.GetValue(labelSmoothing), parse.GetValue(mixUp), parse.GetValue(cutMix), parse.GetValue(accumulate));
            if (parse.GetValue(resume) is { } resumeFrom)
            {
                if (parse.GetResult(output) is { Implicit: false } && Path.GetFullPath(settings.Out) != Path.GetFullPath(resumeFrom))
                    throw CliException.Usage($"--resume {resumeFrom} continues the run in that folder; --out {settings.Out} names another one (drop --out).");
                settings = settings with { Out = resumeFrom, Resume = true };
            }
            if (settings.FrozenEpochs + settings.UnfrozenEpochs == 0)
                throw CliException.Usage("--frozen-epochs and --unfrozen-epochs are both 0: nothing to train.");
            if (settings.Patience is < 0) throw CliException.Usage("--patience cannot be negative.");
            if (settings.MixUp is not null && settings.CutMix is not null) throw CliException.Usage("--mixup and --cutmix are both given: train with one of them.");
            return settings;
        }, TrainRunner.Run);
        return command;
    }
}
