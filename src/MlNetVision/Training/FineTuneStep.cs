namespace MlNetVision.Training;

/// <summary>
/// One step of <see cref="FineTuneRecipe"/>, handed to the caller's step runner before it runs (to draw a heading, log
/// the chosen rate or wrap the step in a progress display).
/// </summary>
/// <param name="Kind">Which step.</param>
/// <param name="Description">What it does, fastai-style: <c>frozen phase: fit_one_cycle(4, slice(0.003)), body frozen</c>.</param>
/// <param name="Epochs">Epochs of a phase; 0 for the finder.</param>
/// <param name="LearningRate">The phase's peak rate (for the unfrozen phase, the chosen one); <see langword="null"/> for the finder.</param>
/// <param name="LrFind">For the unfrozen phase after an <c>Auto</c> choice: the finder's result the rate came from.</param>
/// <param name="Warning">A problem worth telling the user (the finder gave no suggestion), or <see langword="null"/>.</param>
public sealed record FineTuneStep(FineTuneStepKind Kind, string Description, int Epochs, LearningRate? LearningRate, LrFindResult? LrFind = null, string? Warning = null);
