namespace MlNetVision.Training;

/// <summary>
/// The training state a checkpoint carries besides the weights (format 2; absent from format-1 files and from
/// <c>Save(name, withTrainingState: false)</c>): the optimiser's per-group hyper-parameters (the moving averages and step
/// counts follow the weights in the file), the torch generator's state, the training loader's epoch, the frozen layer
/// groups and, when saved at the end of an epoch of a fit, the fit's position and schedule.
/// </summary>
public sealed record CheckpointTrainingState
{
    /// <summary>The training loader's <see cref="Data.DataLoader.Epoch"/>: which shuffle and augmentation draw comes next.</summary>
    public int LoaderEpoch { get; init; }

    /// <summary>The learner's <see cref="Learner.FrozenGroups"/> when saved.</summary>
    public int FrozenGroups { get; init; }

    /// <summary>Each optimiser group's hyper-parameters, first layer group first.</summary>
    public CheckpointOptimizerGroup[] OptimizerGroups { get; init; } = [];

    /// <summary>How many per-parameter Adam states (group, index, step count, two moving averages) follow the weights.</summary>
    public int OptimizerStates { get; init; }

    /// <summary>The length of the torch CPU generator's state (<c>torch.random.get_rng_state()</c>) stored after the optimiser states.</summary>
    public int RngStateBytes { get; init; }

    /// <summary>Where the fit stood when the checkpoint was written at the end of an epoch; <see langword="null"/> when saved outside a fit or mid-epoch.</summary>
    public CheckpointFitPosition? Fit { get; init; }
}
