using MlNetVision.Native;

namespace MlNetVision.Training;

public sealed partial class Learner
{
    /// <summary>Number of leading layer groups that are frozen (0 when unfrozen).</summary>
    public int FrozenGroups { get; private set; }

    /// <summary>
    /// Freezes every layer group but the last (fastai <c>freeze</c> = <c>freeze_to(-1)</c>): only the head trains, plus
    /// BatchNorm layers everywhere when <see cref="LearnerOptions.TrainBn"/> is set.
    /// </summary>
    public void Freeze() => FreezeTo(-1);

    /// <summary>Makes every layer group trainable (fastai <c>unfreeze</c> = <c>freeze_to(0)</c>).</summary>
    public void Unfreeze() => FreezeTo(0);

    /// <summary>
    /// Freezes the first <paramref name="n"/> layer groups and unfreezes the rest (fastai <c>freeze_to</c>; a negative
    /// <paramref name="n"/> counts from the end, as in Python). Frozen parameters get <c>requires_grad = false</c>, so they
    /// get no gradient and cost no backward pass; BatchNorm weights and biases stay trainable when
    /// <see cref="LearnerOptions.TrainBn"/> is set. The optimiser's moving averages are reset, as fastai re-creates its optimiser.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is outside <c>-groups..groups</c>.</exception>
    public void FreezeTo(int n)
    {
        int count = _layerGroups.Count;
        if (n < -count || n > count) throw new ArgumentOutOfRangeException(nameof(n), n, $"The model has {count} layer groups.");
        if (n < 0) n += count;
        for (int g = 0; g < count; g++)
        {
            foreach (var (name, p) in _layerGroups[g])
            {
                bool trainable = g >= n || (Options.TrainBn && _batchNormParameters.Contains(name));
                p.requires_grad = trainable;
            }
        }
        FrozenGroups = n;
        Optimizer.ReleaseGradients();
        Optimizer.ResetState();
        GlibcHeap.AtBoundary();
    }

    /// <summary>Whether the parameter named <paramref name="name"/> (state-dict name) is trained.</summary>
    /// <exception cref="KeyNotFoundException">No parameter has that name.</exception>
    public bool IsTrainable(string name) =>
        _layerGroups.SelectMany(g => g).FirstOrDefault(p => p.Name == name) is { Parameter: not null } hit
            ? hit.Parameter.requires_grad
            : throw new KeyNotFoundException($"No parameter named '{name}'.");

    private bool[] CaptureFrozenState() => _layerGroups.SelectMany(g => g).Select(p => p.Parameter.requires_grad).ToArray();

    private void RestoreFrozenState(bool[] state, int frozenGroups)
    {
        int i = 0;
        foreach (var (_, p) in _layerGroups.SelectMany(g => g)) p.requires_grad = state[i++];
        FrozenGroups = frozenGroups;
    }
}
