using MlNetVision.Training;
using MlNetVision.Training.Callbacks;

namespace MlNetVision.Cli.Train;

/// <summary>
/// Saves the learner's checkpoint after every completed epoch (validated, finite loss), so that an interrupted or
/// failed run always leaves the last good weights on disk. Saves are atomic (the library writes a temporary file and
/// renames it).
/// </summary>
public sealed class CheckpointEachEpoch(string name) : LearnerCallback
{
    /// <summary>Where the last save went, or <see langword="null"/> before the first.</summary>
    public string? LastPath { get; private set; }

    /// <summary>A description of what the last save holds (stage and epoch), or <see langword="null"/>.</summary>
    public string? LastDescription { get; private set; }

    /// <summary>The phase name used in <see cref="LastDescription"/>.</summary>
    public string Stage { get; set; } = "";

    /// <summary>Runs after the recorder and the progress view.</summary>
    public override int Order => 200;

    /// <inheritdoc/>
    public override void AfterEpoch(Learner learner)
    {
        if (learner.State.LastEpoch is not { } row || !double.IsFinite(row.ValidLoss)) return;
        LastPath = learner.Save(name);
        LastDescription = $"{Stage}, epoch {row.Epoch}";
    }
}
