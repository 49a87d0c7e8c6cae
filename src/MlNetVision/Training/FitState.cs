using MlNetVision.Training.Optimizers;

namespace MlNetVision.Training;

/// <summary>What the training loop is doing right now; read by callbacks, progress reporters and the recorder.</summary>
public sealed class FitState
{
    /// <summary>The 0-based epoch being run.</summary>
    public int Epoch { get; internal set; }

    /// <summary>How many epochs this fit runs.</summary>
    public int Epochs { get; internal set; }

    /// <summary>The 0-based index of the batch in the current pass (training or validation).</summary>
    public int Batch { get; internal set; }

    /// <summary>Number of batches in the current pass.</summary>
    public int Batches { get; internal set; }

    /// <summary>The 0-based number of training steps taken in this fit (the schedule's step).</summary>
    public int Iteration { get; internal set; }

    /// <summary>Total training steps of this fit.</summary>
    public int TotalIterations { get; internal set; }

    /// <summary>Whether the current pass trains (<see langword="false"/> during validation).</summary>
    public bool Training { get; internal set; }

    /// <summary>The loss of the last training batch.</summary>
    public float Loss { get; internal set; } = float.NaN;

    /// <summary>The exponentially smoothed training loss (β 0.98, debiased), kept by the <see cref="Recorder"/>.</summary>
    public double SmoothLoss { get; internal set; } = double.NaN;

    /// <summary>Results of the last finished epoch; <see langword="null"/> before the first one.</summary>
    public EpochResult? LastEpoch { get; internal set; }

    /// <summary>The reason a stop was requested, or <see langword="null"/>.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Whether the fit should stop after the current batch (<see cref="StopNow"/>) rather than at the end of the epoch.</summary>
    public bool StopNow { get; private set; }

    /// <summary>The optimiser driving this fit.</summary>
    public AdamW? Optimizer { get; internal set; }

    /// <summary>Asks the loop to stop: at the end of the current epoch, or right after the current batch when <paramref name="immediately"/>.</summary>
    public void RequestStop(string reason, bool immediately = false)
    {
        StopReason ??= reason;
        StopNow |= immediately;
    }

    internal bool StopRequested => StopReason is not null;

    internal void Reset(int epochs, int batchesPerEpoch)
    {
        Epoch = 0;
        Epochs = epochs;
        Batch = 0;
        Iteration = 0;
        TotalIterations = epochs * batchesPerEpoch;
        Loss = float.NaN;
        SmoothLoss = double.NaN;
        StopReason = null;
        StopNow = false;
        LastEpoch = null;
    }
}
