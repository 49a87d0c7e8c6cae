namespace MlNetVision.Tests.Training.Callbacks;

/// <summary>One mixed training batch: what the model saw, λ, the permutation, the loss the loop computed and the loss recomputed by hand.</summary>
internal sealed record MixedBatch(float[] Mixed, float[] Lambda, long[] Shuffle, float Loss, double Expected, (int X1, int Y1, int X2, int Y2)? Box);
