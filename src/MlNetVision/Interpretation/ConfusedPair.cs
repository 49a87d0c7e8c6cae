namespace MlNetVision.Interpretation;

/// <summary>An off-diagonal cell of the confusion matrix: how many items of one class were predicted as another.</summary>
/// <param name="Actual">The index of the actual class.</param>
/// <param name="Predicted">The index of the predicted class.</param>
/// <param name="ActualClass">The name of the actual class.</param>
/// <param name="PredictedClass">The name of the predicted class.</param>
/// <param name="Count">How many items of <paramref name="ActualClass"/> were predicted as <paramref name="PredictedClass"/>.</param>
public sealed record ConfusedPair(int Actual, int Predicted, string ActualClass, string PredictedClass, int Count);
