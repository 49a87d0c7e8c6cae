using TorchSharp.Modules;

namespace MlNetVision.Training.Optimizers;

/// <summary>A copy of an <see cref="AdamW"/> optimiser's state, owned by the caller.</summary>
public sealed class AdamWSnapshot : IDisposable
{
    internal AdamWSnapshot(Dictionary<Parameter, AdamW.State> states, (double, double, double, double)[] hypers)
    {
        States = states;
        Hypers = hypers;
    }

    internal Dictionary<Parameter, AdamW.State> States { get; }
    internal (double Lr, double Beta1, double Beta2, double Wd)[] Hypers { get; }

    /// <summary>Releases the copied tensors.</summary>
    public void Dispose()
    {
        foreach (var s in States.Values) s.Dispose();
    }
}
