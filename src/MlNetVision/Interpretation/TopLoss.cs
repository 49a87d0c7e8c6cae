namespace MlNetVision.Interpretation;

/// <summary>One item among the largest (or smallest) losses: which item, its loss, and what the model thought of it.</summary>
/// <param name="Index">The item's index in the interpreted set (same order as the probabilities and targets).</param>
/// <param name="Loss">The item's loss.</param>
/// <param name="Predicted">The index of the predicted class (arg max of the probabilities).</param>
/// <param name="Actual">The index of the actual class.</param>
/// <param name="PredictedClass">The name of the predicted class.</param>
/// <param name="ActualClass">The name of the actual class.</param>
/// <param name="ProbabilityOfActual">The probability the model gave to the actual class.</param>
public sealed record TopLoss(int Index, float Loss, int Predicted, int Actual, string PredictedClass, string ActualClass, float ProbabilityOfActual);
