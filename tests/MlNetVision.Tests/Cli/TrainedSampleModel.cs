namespace MlNetVision.Tests.Cli;

/// <summary>
/// Runs <c>mlnet-vision train</c> once with no data argument (the shipped sample) and the default <c>--out</c>, at
/// 32×32 with one epoch per stage, in a temp folder; the workflow tests evaluate and predict with what it wrote.
/// </summary>
public sealed class TrainedSampleModel : IAsyncLifetime
{
    private readonly TempFolder _root = new("workflow");

    /// <summary>The working folder the tool ran in.</summary>
    public string Root => _root.Path;

    /// <summary>The default output folder, <c>./model</c>.</summary>
    public string ModelDir => Path.Combine(Root, "model");

    /// <summary>The ML.NET model written by train.</summary>
    public string ModelZip => Path.Combine(ModelDir, "model.zip");

    /// <summary>The <c>TMPDIR</c> train ran with (empty at its start): whatever is left in it, train left behind.</summary>
    public string TempDir => Path.Combine(Root, "tmp");

    /// <summary>What train printed and returned.</summary>
    public CliResult Train { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(TempDir);
        Train = await CliProcess.RunWithEnvironmentAsync(Root, TimeSpan.FromMinutes(6), new Dictionary<string, string?> { ["TMPDIR"] = TempDir },
            "train", "--size", "32", "--epochs", "1", "--unfreeze-epochs", "1", "--lr", "1e-3");
    }

    /// <inheritdoc/>
    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }
}
