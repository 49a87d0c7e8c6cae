namespace MlNetVision.Interpretation;

/// <summary>One item as fastai's <c>show_results</c> shows it: its actual class and what the model predicted.</summary>
/// <param name="Index">The item's index in the interpreted set (same order as the probabilities and targets).</param>
/// <param name="Actual">The index of the actual class.</param>
/// <param name="ActualClass">The name of the actual class.</param>
/// <param name="Predicted">The index of the predicted class.</param>
/// <param name="PredictedClass">The name of the predicted class.</param>
/// <param name="Probability">The probability the model gave to its prediction.</param>
public sealed record ShownResult(int Index, int Actual, string ActualClass, int Predicted, string PredictedClass, float Probability)
{
    /// <summary>Whether the prediction is the actual class.</summary>
    public bool IsCorrect => Actual == Predicted;
}
