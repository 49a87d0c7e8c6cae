namespace MlNetVision.Training;

/// <summary>
/// What one run of the training loop does: how many epochs, the learning rates and momentum at each step, the weight
/// decay, and how the loop behaves (validate each epoch, stop rather than fail on a non-finite loss, an iteration cap,
/// whether the console table is attached). <see cref="Learner.Fit"/>, <see cref="Learner.FitOneCycle"/> and
/// <see cref="Learner.LrFind"/> each build one.
/// </summary>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="LearningRates">The rate of every layer group at a given step of the fit.</param>
/// <param name="Momentum">Adam's beta1 at a given step.</param>
/// <param name="WeightDecay">Decoupled weight decay.</param>
/// <param name="Validate">Whether each epoch ends with a validation pass (the learning-rate finder does not validate).</param>
/// <param name="StopOnNonFinite">Stop quietly when the loss becomes NaN or infinite instead of failing (the finder's divergence stop).</param>
/// <param name="MaxIterations">Stop after this many training steps; <see langword="null"/> for no cap.</param>
/// <param name="ShowTable">Whether the console table (<see cref="LearnerOptions.ProgressWriter"/>) is attached.</param>
/// <param name="Resumable">The schedule as a checkpoint records it (position fields filled at save); <see langword="null"/> for a fit that cannot be resumed (the finder).</param>
/// <param name="Start">Where a resumed fit starts (epochs completed, step, planned batches); <see langword="null"/> starts at the beginning.</param>
internal sealed record FitPlan(
    int Epochs,
    Func<int, double[]> LearningRates,
    Func<int, double> Momentum,
    double WeightDecay,
    bool Validate = true,
    bool StopOnNonFinite = false,
    int? MaxIterations = null,
    bool ShowTable = true,
    CheckpointFitPosition? Resumable = null,
    CheckpointFitPosition? Start = null);
