namespace MlNetVision.Training;

/// <summary>The hyper-parameters of one <see cref="Optimizers.AdamW"/> group as saved in a checkpoint.</summary>
/// <param name="LearningRate">The group's learning rate at the last step.</param>
/// <param name="Beta1">Adam's beta1 (momentum) at the last step.</param>
/// <param name="Beta2">Adam's beta2.</param>
/// <param name="WeightDecay">The decoupled weight decay.</param>
public sealed record CheckpointOptimizerGroup(double LearningRate, double Beta1, double Beta2, double WeightDecay);
