namespace MlNetVision.Training.Callbacks;

/// <summary>Tracks the best value of one epoch-table column (fastai <c>TrackerCallback</c>).</summary>
public sealed class Monitor
{
    /// <summary>Watches <paramref name="column"/> (<c>valid_loss</c>, <c>train_loss</c> or a metric name); <paramref name="lowerIsBetter"/> defaults to true for losses and error-like metrics.</summary>
    public Monitor(string column, double minDelta, bool? lowerIsBetter)
    {
        Column = column;
        MinDelta = Math.Abs(minDelta);
        LowerIsBetter = lowerIsBetter ?? (column.EndsWith("loss", StringComparison.Ordinal) || column.Contains("error", StringComparison.Ordinal));
        Best = LowerIsBetter ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The watched column.</summary>
    public string Column { get; }

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>Whether smaller is better.</summary>
    public bool LowerIsBetter { get; }

    /// <summary>The best value seen.</summary>
    public double Best { get; private set; }

    /// <summary>The 0-based epoch of the best value, or -1.</summary>
    public int BestEpoch { get; private set; } = -1;

    /// <summary>Starts over.</summary>
    public void Reset()
    {
        Best = LowerIsBetter ? double.PositiveInfinity : double.NegativeInfinity;
        BestEpoch = -1;
    }

    /// <summary>Feeds an epoch's row; returns whether it improved on the best.</summary>
    public bool Update(EpochResult row)
    {
        var value = row[Column];
        bool better = LowerIsBetter ? value < Best - MinDelta : value > Best + MinDelta;
        if (better) { Best = value; BestEpoch = row.Epoch; }
        return better;
    }
}
