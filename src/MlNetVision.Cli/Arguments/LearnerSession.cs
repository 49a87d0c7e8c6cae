using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Training;

namespace MlNetVision.Cli.Arguments;

/// <summary>
/// What <c>train</c> and <c>lr-find</c> both do first: resolve the data argument, the architecture and the output
/// folder, load the native backend, build the data bunch and create the learner (with the shipped weights when the
/// architecture has them), its progress going to a <see cref="TrainingView"/>. Disposing it disposes the learner and
/// the data.
/// </summary>
public sealed class LearnerSession : IDisposable
{
    private LearnerSession(DataInput input, TrainingView view, Learner learner)
    {
        Input = input;
        View = view;
        Learner = learner;
    }

    /// <summary>The resolved data argument.</summary>
    public DataInput Input { get; }

    /// <summary>The backbone (the learner's).</summary>
    public ResNetArchitecture Architecture => Learner.Model.Architecture;

    /// <summary>The output folder (created): the learner's model directory, where its checkpoints go.</summary>
    public string OutputFolder => Learner.ModelDirectory;

    /// <summary>The images (the learner's data).</summary>
    public ImageDataBunch Data => Learner.Data;

    /// <summary>The live or plain progress view the learner reports to.</summary>
    public TrainingView View { get; }

    /// <summary>The learner, frozen as <c>cnn_learner</c> leaves it.</summary>
    public Learner Learner { get; }

    /// <summary>Opens a session; <paramref name="describe"/> runs once the data is loaded, before the learner is created.</summary>
    /// <param name="data">The data argument as given (<see langword="null"/>: the shipped sample).</param>
    /// <param name="architecture">Backbone name from the architecture table.</param>
    /// <param name="outputFolder">Output folder, created if missing.</param>
    /// <param name="size">Image size in pixels.</param>
    /// <param name="batchSize">Batch size.</param>
    /// <param name="validPct">Validation share when the data has no valid/ folder.</param>
    /// <param name="seed">Random seed of the split, the batches and the head.</param>
    /// <param name="output">Where status lines and warnings go.</param>
    /// <param name="noWeightsWarning">The warning printed when the architecture has no shipped weights.</param>
    /// <param name="describe">Optional: prints a summary of the loaded data.</param>
    /// <param name="weights">Optional torchvision weights file for the backbone (<c>--weights</c>).</param>
    /// <param name="device">cpu, cuda, cuda:N or auto (<c>--device</c>).</param>
    /// <param name="autoBatchSize">Halve the batch when it does not fit in memory (<c>--auto-batch-size</c>).</param>
    /// <exception cref="CliException">The data or the output folder is unusable (see <see cref="DataBunchFactory.Create"/>).</exception>
    public static LearnerSession Open(string? data, string architecture, string outputFolder, int size, int batchSize, double validPct, int seed,
        CliOutput output, string noWeightsWarning, Action<ImageDataBunch, DataInput>? describe = null,
        string? weights = null, string device = ComputeDevice.Auto, bool autoBatchSize = false)
    {
        var input = DataInput.Resolve(data);
        var arch = Architectures.Get(architecture);
        var outDir = Running.OutputFolder.Create(outputFolder);
        NativeBackend.EnsureLoaded();
        if (input.IsSample) output.Status($"No data given: using the sample shipped with the tool ({input.Path}).");
        output.Status($"Loading images from {input.Path} ...");
        var bunch = DataBunchFactory.Create(input, size, batchSize, validPct, seed, output);
        try
        {
            describe?.Invoke(bunch, input);
            // Without weights, an architecture that ships none trains from scratch: the library warns (to Log), then this says what it means here.
            var fromScratch = weights is null && arch.Pretrained == PretrainedSource.None;
            var view = new TrainingView(output);
            var learner = CreateLearner(bunch, arch, new LearnerOptions
            {
                Weights = weights is null ? null : Path.GetFullPath(weights),
                Device = device,
                AutoBatchSize = autoBatchSize,
                Log = output.Error,
                Seed = seed,
                ModelDirectory = outDir,
                ProgressWriter = null,
                Progress = view,
            });
            if (fromScratch) output.Warning($"{arch.Name} {noWeightsWarning}");
            return new LearnerSession(input, view, learner);
        }
        catch
        {
            bunch.Dispose();
            throw;
        }
    }

    // A weights file for another architecture, a missing one or an unavailable device: the user's to fix, said plainly.
    private static Learner CreateLearner(ImageDataBunch data, ResNetArchitecture arch, LearnerOptions options)
    {
        try
        {
            return VisionLearner.Create(data, arch, options);
        }
        catch (DeviceUnavailableException e)
        {
            throw CliException.Usage(e.Message);
        }
        catch (Exception e) when (options.Weights is not null && e is FileNotFoundException or InvalidDataException)
        {
            throw CliException.ModelMismatch($"--weights: {e.Message}", e);
        }
    }

    /// <summary>Disposes the learner and the data.</summary>
    public void Dispose()
    {
        Learner.Dispose();
        Data.Dispose();
    }
}
