using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Interpretation;

/// <summary>
/// Computes the <see cref="GradCam"/> heat map of interpreted items on demand: a model and a way to load item <c>i</c>
/// exactly as the model saw it. Attach one to an interpretation with
/// <see cref="ClassificationInterpretation.WithHeatMaps"/>; <see cref="ClassificationInterpretation.FromLearner"/> does.
/// </summary>
public sealed class ItemHeatMaps
{
    /// <summary>How many items go through the model at once.</summary>
    public const int BatchSize = 16;

    private readonly VisionModel _model;
    private readonly Func<int, Tensor> _load;

    private ItemHeatMaps(VisionModel model, int count, Func<int, Tensor> load)
    {
        _model = model;
        Count = count;
        _load = load;
    }

    /// <summary>How many items there are.</summary>
    public int Count { get; }

    /// <summary>
    /// The items of <paramref name="learner"/>'s split, loaded as validation serves them (resized, centre-cropped, no
    /// augmentation), item <c>i</c> being <c>learner.Data.Loader(split).Items[i]</c>. The learner must outlive it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The split is the test split and the data has none.</exception>
    public static ItemHeatMaps FromLearner(Learner learner, DatasetSplit split = DatasetSplit.Valid)
    {
        ArgumentNullException.ThrowIfNull(learner);
        var loader = learner.Data.Loader(split);
        return new ItemHeatMaps(learner.Model, loader.Count, loader.LoadItem);
    }

    /// <summary>Items produced by <paramref name="load"/>: float32 <c>[3, H, W]</c> RGB in 0..1 for item <c>i</c> (disposed after use).</summary>
    public static ItemHeatMaps FromModel(VisionModel model, int count, Func<int, Tensor> load)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new ItemHeatMaps(model, count, load);
    }

    /// <summary>The heat maps of <paramref name="items"/> for the given classes (one per item), in order.</summary>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An item index is outside 0..Count-1.</exception>
    public IReadOnlyList<HeatMap> Compute(IReadOnlyList<int> items, IReadOnlyList<int> classes)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(classes);
        if (items.Count != classes.Count) throw new ArgumentException($"{classes.Count} classes for {items.Count} items.", nameof(classes));
        foreach (var i in items) ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)i, (uint)Count, nameof(items));
        var maps = new List<HeatMap>(items.Count);
        for (int start = 0; start < items.Count; start += BatchSize)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(BatchSize, items.Count - start);
            var batch = stack(Enumerable.Range(start, n).Select(k => _load(items[k])).ToArray());
            maps.AddRange(GradCam.Compute(_model, batch, classes.Skip(start).Take(n).ToArray()));
        }
        return maps;
    }
}
