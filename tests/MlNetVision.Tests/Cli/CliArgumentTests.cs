namespace MlNetVision.Tests.Cli;

/// <summary>Wrong command lines end with one clear message and the documented exit code, never a stack trace.</summary>
public class CliArgumentTests
{
    private const int UsageError = 2;
    private const int NotFound = 3;
    private const int BadData = 4;

    private static void AssertNoStackTrace(CliResult r)
    {
        Assert.DoesNotContain("   at ", r.StdErr);
        Assert.DoesNotContain("Unhandled exception", r.StdErr);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("lr-find")]
    [InlineData("evaluate")]
    [InlineData("predict")]
    public async Task Should_PrintUsage_When_HelpAskedForCommand(string command)
    {
        var r = await CliProcess.RunAsync(command, "--help");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"mlnet-vision {command}", r.StdOut);
        Assert.Contains("--plain", r.StdOut);
    }

    [Fact]
    public async Task Should_ListEveryCommand_When_RootHelpAsked()
    {
        var r = await CliProcess.RunAsync("--help");
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var command in new[] { "train", "lr-find", "evaluate", "predict" }) Assert.Contains(command, r.StdOut);
    }

    [Fact]
    public async Task Should_ShowDocumentedDefaults_When_TrainHelpAsked()
    {
        var r = await CliProcess.RunAsync("train", "--help");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.StdOut.Split('\n');
        string Line(string option) => lines.Single(l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal) || l.Contains(", " + option + " "));
        Assert.Contains("[default: resnet18-mlnet]", Line("--arch"));
        Assert.Contains("[default: 224]", Line("--size"));
        Assert.Contains("[default: 64]", Line("--bs"));
        Assert.Contains("[default: 4]", Line("--frozen-epochs"));
        Assert.Contains("[default: 2]", Line("--unfrozen-epochs"));
        Assert.Contains("[default: 0]", Line("--freeze-to"));
        Assert.Contains("[default: auto]", Line("--lr"));
        Assert.Contains("[default: 0.003]", Line("--head-lr"));
        Assert.Contains("[default: 100]", Line("--lr-find-iterations"));
        Assert.Contains("[default: 0.2]", Line("--valid-pct"));
        Assert.Contains("[default: ./model]", Line("--out"));
        Assert.Contains("[default: 42]", Line("--seed"));
    }

    [Fact]
    public async Task Should_ExitWithUsageError_When_NoCommandGiven()
    {
        var r = await CliProcess.RunAsync();
        Assert.True(r.ExitCode == UsageError, r.ToString());
        Assert.Contains("error: Required command was not provided.", r.StdErr);
        Assert.Contains("Run 'mlnet-vision --help' for usage.", r.StdErr);
    }

    [Fact]
    public async Task Should_ExitWithUsageError_When_CommandUnknown()
    {
        var r = await CliProcess.RunAsync("trian");
        Assert.True(r.ExitCode == UsageError, r.ToString());
        Assert.Equal("error: Unrecognized command or argument 'trian'.", r.StdErr.Split('\n')[0]);
    }

    [Theory]
    [InlineData("--size 7", "error: --size must be between 32 and 1024, got 7.")]
    [InlineData("--bs 1", "error: --bs must be between 2 and 4096, got 1.")]
    [InlineData("--bs abc", "error: Cannot parse argument 'abc' for option '--bs'")]
    [InlineData("--valid-pct 1", "error: --valid-pct must be between 0 and 1 (exclusive), got 1.")]
    [InlineData("--lr fast", "error: --lr 'fast' is not a learning rate: use auto, a positive number (1e-4) or a range lo:hi (1e-6:1e-4).")]
    [InlineData("--lr 1e-3:1e-5", "error: --lr '1e-3:1e-5': the low end of a range must not exceed the high end")]
    [InlineData("--lr -1", "error: --lr '-1' is not a learning rate")]
    [InlineData("--head-lr 0", "error: --head-lr must be a positive number, got 0.")]
    [InlineData("--arch vgg16", "error: Argument 'vgg16' not recognized. Must be one of:")]
    [InlineData("--epochs 0 --unfreeze-epochs 0", "error: --frozen-epochs and --unfrozen-epochs are both 0: nothing to train.")]
    [InlineData("--frozen-epochs 0 --unfrozen-epochs 0", "error: --frozen-epochs and --unfrozen-epochs are both 0: nothing to train.")]
    [InlineData("--frobnicate", "error: Unrecognized command or argument '--frobnicate'.")]
    public async Task Should_ExitWithUsageError_When_TrainOptionInvalid(string options, string expected)
    {
        var r = await CliProcess.RunAsync(["train", .. options.Split(' ')]);
        Assert.True(r.ExitCode == UsageError, r.ToString());
        Assert.StartsWith(expected, r.StdErr);
        AssertNoStackTrace(r);
    }

    [Fact]
    public async Task Should_ExitWithUsageError_When_LrFindRangeReversed()
    {
        var r = await CliProcess.RunAsync("lr-find", "--start-lr", "1", "--end-lr", "0.1");
        Assert.True(r.ExitCode == UsageError, r.ToString());
        Assert.StartsWith("error: --start-lr must be lower than --end-lr.", r.StdErr);
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("predict")]
    public async Task Should_ExitWithUsageError_When_ArgumentsMissing(string command)
    {
        var r = await CliProcess.RunAsync(command);
        Assert.True(r.ExitCode == UsageError, r.ToString());
        Assert.StartsWith($"error: Required argument missing for command: '{command}'.", r.StdErr);
        Assert.Contains($"Run 'mlnet-vision {command} --help' for usage.", r.StdErr);
    }

    [Theory]
    [InlineData("train")]
    [InlineData("lr-find")]
    public async Task Should_ExitWithNotFound_When_DataFolderMissing(string command)
    {
        var missing = Path.Combine(Path.GetTempPath(), "mlnet-vision-missing-" + Guid.NewGuid().ToString("N"));
        var r = await CliProcess.RunAsync(command, missing);
        Assert.True(r.ExitCode == NotFound, r.ToString());
        Assert.Equal($"error: Data not found: '{missing}' does not exist (expected a folder of class folders or a CSV file).", r.StdErr.Trim());
    }

    [Fact]
    public async Task Should_ExitWithBadData_When_DataIsFileButNotCsv()
    {
        using var temp = new TempFolder("cli-args");
        var file = temp.File("input.txt");
        await File.WriteAllTextAsync(file, "not data");
        var r = await CliProcess.RunAsync("train", file);
        Assert.True(r.ExitCode == BadData, r.ToString());
        Assert.StartsWith($"error: Data '{file}' is a file but not a .csv", r.StdErr);
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("predict")]
    public async Task Should_ExitWithNotFound_When_ModelMissing(string command)
    {
        var missing = Path.Combine(Path.GetTempPath(), "mlnet-vision-missing-" + Guid.NewGuid().ToString("N") + ".zip");
        var r = await CliProcess.RunAsync(command, missing, Path.GetTempPath());
        Assert.True(r.ExitCode == NotFound, r.ToString());
        Assert.Equal($"error: Model not found: '{missing}' does not exist.", r.StdErr.Trim());
    }
}
