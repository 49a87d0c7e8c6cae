namespace MlNetVision.Interpretation;

public sealed partial class ClassificationInterpretation
{
    private ItemHeatMaps? _heatMaps;

    /// <summary>Whether heat maps can be computed for the items (the interpretation knows the model: <see cref="FromLearner"/> or <see cref="WithHeatMaps"/>).</summary>
    public bool HasHeatMaps => _heatMaps is not null;

    /// <summary>A copy of this interpretation that can compute the items' heat maps with <paramref name="heatMaps"/>.</summary>
    /// <exception cref="ArgumentException">The heat maps cover a different number of items.</exception>
    public ClassificationInterpretation WithHeatMaps(ItemHeatMaps heatMaps)
    {
        ArgumentNullException.ThrowIfNull(heatMaps);
        if (heatMaps.Count != Count) throw new ArgumentException($"The heat maps cover {heatMaps.Count} items; the interpretation has {Count}.", nameof(heatMaps));
        return new ClassificationInterpretation(Classes, _probs, _targets, _losses, Items, _predicted) { _heatMaps = heatMaps };
    }

    /// <summary>The Grad-CAM heat maps of <paramref name="items"/> (indices into the interpretation) for their predicted or actual class.</summary>
    /// <exception cref="InvalidOperationException">The interpretation has no model to compute heat maps with (see <see cref="HasHeatMaps"/>).</exception>
    public IReadOnlyList<HeatMap> HeatMaps(IReadOnlyList<int> items, HeatMapTarget target = HeatMapTarget.Predicted)
    {
        ArgumentNullException.ThrowIfNull(items);
        var source = _heatMaps ?? throw new InvalidOperationException(
            "This interpretation has no model to compute heat maps with: create it with ClassificationInterpretation.FromLearner, or attach one with WithHeatMaps(ItemHeatMaps.FromModel(...)).");
        foreach (var i in items) ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)i, (uint)Count, nameof(items));
        var classes = items.Select(i => target == HeatMapTarget.Actual ? Targets[i] : Predicted[i]).ToArray();
        return source.Compute(items, classes);
    }

    /// <summary>The heat map of item <paramref name="item"/> for its predicted or actual class.</summary>
    /// <inheritdoc cref="HeatMaps(IReadOnlyList{int}, HeatMapTarget)"/>
    public HeatMap HeatMap(int item, HeatMapTarget target = HeatMapTarget.Predicted) => HeatMaps([item], target)[0];
}
