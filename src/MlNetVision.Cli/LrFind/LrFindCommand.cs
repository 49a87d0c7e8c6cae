using System.CommandLine;
using MlNetVision.Cli.Arguments;
using MlNetVision.Cli.Running;

namespace MlNetVision.Cli.LrFind;

/// <summary><c>mlnet-vision lr-find [data]</c>: fastai's LR range test; prints the suggestions and writes the plot.</summary>
public static class LrFindCommand
{
    /// <summary>The default of <c>--start-lr</c> (fastai: <c>start_lr=1e-7</c>).</summary>
    public const double DefaultStartLr = 1e-7;

    /// <summary>The default of <c>--end-lr</c> (fastai: <c>end_lr=10</c>).</summary>
    public const double DefaultEndLr = 10;

    /// <summary>The default of <c>--iterations</c> (fastai: <c>num_it=100</c>).</summary>
    public const int DefaultIterations = Training.FineTuneOptions.DefaultLrFindIterations;

    /// <summary>Builds the command.</summary>
    public static Command Create(CliApp app)
    {
        var data = CommonOptions.DataArgument("A folder of class folders (or train/ and valid/), or a CSV of file,label rows. Default: the shipped Fashion-MNIST sample.");
        var arch = CommonOptions.Arch();
        var size = CommonOptions.Size();
        var bs = CommonOptions.BatchSize();
        var validPct = CommonOptions.ValidPct();
        var unfreeze = new Option<bool>("--unfreeze") { Description = "Sweep with the whole network trainable (as lesson 1 does after the first fit); default: head only." };
        var startLr = CommonOptions.PositiveDouble("--start-lr", "First learning rate of the sweep.", DefaultStartLr, "v");
        var endLr = CommonOptions.PositiveDouble("--end-lr", "Last learning rate of the sweep.", DefaultEndLr, "v");
        var iterations = CommonOptions.IntOption("--iterations", "Number of batches in the sweep (it stops early when the loss diverges).", DefaultIterations, 2, 100_000, "n");
        var output = CommonOptions.Out("Folder for lr-find.png.");
        var seed = CommonOptions.Seed();
        var weights = CommonOptions.Weights();
        var device = CommonOptions.Device();

        var command = new Command("lr-find", "Run the learning-rate finder: prints the suggested learning rates and writes lr-find.png.")
        {
            data, arch, size, bs, validPct, unfreeze, startLr, endLr, iterations, output, seed,
            weights, device,
        };
        app.SetRunner(command, parse =>
        {
            var settings = new LrFindSettings(
                parse.GetValue(data), parse.GetValue(arch)!, parse.GetValue(size), parse.GetValue(bs), parse.GetValue(validPct),
                parse.GetValue(unfreeze), parse.GetValue(startLr), parse.GetValue(endLr), parse.GetValue(iterations),
                parse.GetValue(output)!, parse.GetValue(seed), parse.GetValue(weights), parse.GetValue(device)!);
            if (settings.StartLr >= settings.EndLr) throw CliException.Usage("--start-lr must be lower than --end-lr.");
            return settings;
        }, LrFindRunner.Run);
        return command;
    }
}
