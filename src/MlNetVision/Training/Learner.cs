using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Training.Callbacks;
using MlNetVision.Training.Metrics;
using MlNetVision.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;
using AdamW = MlNetVision.Training.Optimizers.AdamW;

namespace MlNetVision.Training;

/// <summary>
/// Trains a <see cref="VisionModel"/> on an <see cref="ImageDataBunch"/> the fastai v1 way: layer groups with
/// discriminative learning rates, freezing, one-cycle training, the learning-rate finder, a recorder that is always
/// on, checkpoints under <c>Data.Path/models/</c>, and predictions. Create one with <see cref="VisionLearner.Create"/>.
/// Split into partial files by concern: Fit, Freeze, LrFind, Save, Predict.
/// </summary>
public sealed partial class Learner : IDisposable
{
    private readonly IReadOnlyList<IReadOnlyList<(string Name, Parameter Parameter)>> _layerGroups;
    private readonly HashSet<string> _batchNormParameters;
    private readonly string _path;
    private ImageDataBunch _data;
    private bool _disposed;

    /// <summary>Wraps <paramref name="model"/> and <paramref name="data"/>; prefer <see cref="VisionLearner.Create"/>, which also builds the model.</summary>
    /// <exception cref="ArgumentException">The model predicts a different number of classes than the data has.</exception>
    public Learner(ImageDataBunch data, VisionModel model, LearnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(model);
        if (model.NumClasses != data.Classes.Count)
            throw new ArgumentException($"The model predicts {model.NumClasses} classes but the data has {data.Classes.Count}.", nameof(model));
        _data = data;
        _path = data.Path;
        Model = model;
        Options = options ?? new LearnerOptions();
        // Before the optimiser takes the parameters: moving a module to another device replaces them.
        Device = ComputeDevice.Resolve(Options.Device, out var device);
        Options.Log?.WriteLine($"MlNetVision: {model.Architecture.Name} computes on {device}.");
        model.to(Device);
        Metrics = Options.Metrics.ToArray();
        _layerGroups = model.LayerGroups();
        _batchNormParameters = model.named_modules()
            .Where(m => m.module is BatchNorm1d or BatchNorm2d)
            .SelectMany(m => m.module.named_parameters().Select(p => string.IsNullOrEmpty(m.name) ? p.name : $"{m.name}.{p.name}"))
            .ToHashSet(StringComparer.Ordinal);
        Optimizer = new AdamW(_layerGroups.Select(g => (IReadOnlyList<Parameter>)g.Select(p => p.Parameter).ToArray()), Options.Optimizer);
        Optimizer.SetWeightDecay(Options.WeightDecay);
        Recorder = new Recorder();
        if (Options.MixedPrecision) ToHalf(null);
    }

    /// <summary>
    /// The data the learner trains and validates on; set it between fits to train on at another size (progressive
    /// resizing, fastai <c>learn.dls = get_dls(bs, size)</c>): see <see cref="SetData"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Set to data with another class list.</exception>
    public ImageDataBunch Data
    {
        get => _data;
        set => SetData(value);
    }

    /// <summary>The network (normalisation → body → head).</summary>
    public VisionModel Model { get; }

    /// <summary>The device the model, the batches, the optimiser state and the metrics live on (from <see cref="LearnerOptions.Device"/>).</summary>
    public Device Device { get; }

    /// <summary>The options the learner was created with.</summary>
    public LearnerOptions Options { get; }

    /// <summary>The validation metrics, in table order.</summary>
    public IReadOnlyList<Metric> Metrics { get; }

    /// <summary>The optimiser, one parameter group per layer group.</summary>
    public AdamW Optimizer { get; }

    /// <summary>Records losses, learning rates, momentums and the epoch table; always attached.</summary>
    public Recorder Recorder { get; }

    /// <summary>The state of the running (or last) fit; each fit starts a new one.</summary>
    public FitState State { get; private set; } = new();

    /// <summary>The class names, index order.</summary>
    public IReadOnlyList<string> Classes => Data.Classes;

    /// <summary>The layer groups: (state-dict name, parameter) lists, first group first (three for ResNets).</summary>
    public IReadOnlyList<IReadOnlyList<(string Name, Parameter Parameter)>> LayerGroups => _layerGroups;

    /// <summary>The folder checkpoints go to: <c>path/models</c> with the path of the data the learner was created with (fastai <c>learn.path/learn.model_dir</c>).</summary>
    public string ModelDirectory => System.IO.Path.Combine(_path, Options.ModelDirectory);

    /// <summary>Releases the optimiser state and the model.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Optimizer.Dispose();
        Model.Dispose();
    }

    /// <summary>A copy of every parameter and buffer (state dict), detached and owned by the caller, in one block per dtype (<see cref="Optimizers.ContiguousTensors"/>).</summary>
    internal Dictionary<string, Tensor> CloneWeights()
    {
        var entries = Model.state_dict().ToArray();
        var copies = Optimizers.ContiguousTensors.Copies([.. entries.Select(e => e.Value)]);
        return entries.Select((e, i) => (e.Key, copies[i])).ToDictionary(e => e.Key, e => e.Item2);
    }

    /// <summary>Copies <paramref name="weights"/> back into the model in place (parameters keep their identity).</summary>
    internal void RestoreWeights(Dictionary<string, Tensor> weights)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, value) in Model.state_dict())
            value.copy_(weights[name]);
    }

    /// <summary>A batch's images and labels on <see cref="Device"/> (the loaders build them on the CPU); owned by the current dispose scope.</summary>
    private (Tensor Images, Tensor Labels) OnDevice(ImageBatch batch) => (batch.Images.to(Device), batch.Labels.to(Device));

    internal static void DisposeAll(Dictionary<string, Tensor> weights)
    {
        foreach (var t in weights.Values) t.Dispose();
    }

    private IEnumerable<LearnerCallback> CallbacksFor(IEnumerable<LearnerCallback>? extra, bool console)
    {
        var all = new List<LearnerCallback> { Recorder };
        all.AddRange(Options.Callbacks);
        if (extra is not null) all.AddRange(extra);
        if (MixedPrecision is { } mixed) all.Add(mixed);
        if (console && Options.ProgressWriter is { } writer) all.Add(new ConsoleProgress(writer));
        // Stable: equal orders keep insertion order.
        return all.Select((c, i) => (c, i)).OrderBy(x => x.c.Order).ThenBy(x => x.i).Select(x => x.c).ToArray();
    }
}
