namespace MlNetVision.Training.Callbacks;

/// <summary>Stops a fit when a column has not improved for <see cref="Patience"/> epochs (fastai <c>EarlyStoppingCallback</c>).</summary>
public sealed class EarlyStopping : LearnerCallback
{
    private int _wait;

    /// <summary>Watches <paramref name="monitor"/> (default <c>valid_loss</c>).</summary>
    /// <param name="monitor">The epoch-table column to watch.</param>
    /// <param name="minDelta">Smallest change that counts as an improvement; default 0.</param>
    /// <param name="patience">Epochs without improvement tolerated before stopping; default 1 (fastai v1's <c>patience=0</c> stops at the first epoch without improvement).</param>
    /// <param name="lowerIsBetter">Direction; default inferred from the column name.</param>
    public EarlyStopping(string monitor = "valid_loss", double minDelta = 0, int patience = 1, bool? lowerIsBetter = null)
    {
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "Patience cannot be negative.");
        Monitor = new Monitor(monitor, minDelta, lowerIsBetter);
        Patience = patience;
    }

    /// <summary>The tracked column.</summary>
    public Monitor Monitor { get; }

    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }

    /// <summary>Runs after the recorder, before checkpointing callbacks see the stop.</summary>
    public override int Order => 10;

    /// <inheritdoc/>
    public override void BeforeFit(Learner learner)
    {
        Monitor.Reset();
        _wait = 0;
    }

    /// <inheritdoc/>
    public override void AfterEpoch(Learner learner)
    {
        if (learner.State.LastEpoch is not { } row) return;
        if (Monitor.Update(row)) { _wait = 0; return; }
        _wait++;
        if (_wait > Patience)
            learner.State.RequestStop($"no improvement in {Monitor.Column} for {_wait} epochs (best {Monitor.Best:G4} at epoch {Monitor.BestEpoch})");
    }
}
