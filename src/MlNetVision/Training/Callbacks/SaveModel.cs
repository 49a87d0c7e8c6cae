namespace MlNetVision.Training.Callbacks;

/// <summary>
/// Saves the model under <see cref="Name"/> whenever the watched column improves (or after every epoch), and loads the
/// best one back at the end of the fit (fastai v1 <c>SaveModelCallback(every='improvement', monitor='valid_loss', name='bestmodel')</c>).
/// </summary>
/// <param name="monitor">Column to watch; default <c>valid_loss</c>.</param>
/// <param name="name">Checkpoint name; default <c>bestmodel</c>.</param>
/// <param name="everyEpoch">Save after every epoch as <c>name_epoch</c> instead of on improvement; default <see langword="false"/>.</param>
/// <param name="loadBestAtEnd">Load the best checkpoint when the fit ends; default <see langword="true"/>.</param>
/// <param name="lowerIsBetter">Direction; default inferred from the column name.</param>
public sealed class SaveModel(string monitor = "valid_loss", string name = "bestmodel", bool everyEpoch = false, bool loadBestAtEnd = true, bool? lowerIsBetter = null)
    : LearnerCallback
{
    /// <summary>The tracked column.</summary>
    public Monitor Monitor { get; } = new(monitor, 0, lowerIsBetter);

    /// <summary>The checkpoint name.</summary>
    public string Name { get; } = name;

    /// <summary>Whether every epoch is saved.</summary>
    public bool EveryEpoch { get; } = everyEpoch;

    /// <summary>Whether the best checkpoint is loaded back at the end.</summary>
    public bool LoadBestAtEnd { get; } = loadBestAtEnd;

    /// <summary>Runs after early stopping.</summary>
    public override int Order => 20;

    /// <inheritdoc/>
    public override void BeforeFit(Learner learner) => Monitor.Reset();

    /// <inheritdoc/>
    public override void AfterEpoch(Learner learner)
    {
        if (learner.State.LastEpoch is not { } row) return;
        if (EveryEpoch) { learner.Save($"{Name}_{row.Epoch}"); return; }
        if (Monitor.Update(row)) learner.Save(Name);
    }

    /// <inheritdoc/>
    public override void AfterFit(Learner learner)
    {
        if (LoadBestAtEnd && !EveryEpoch && Monitor.BestEpoch >= 0 && File.Exists(learner.CheckpointPath(Name))) learner.Load(Name);
    }
}
