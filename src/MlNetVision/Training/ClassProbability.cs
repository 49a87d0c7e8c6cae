namespace MlNetVision.Training;

/// <summary>One class and its probability, as <see cref="Prediction.TopK"/> lists them.</summary>
/// <param name="Class">The class name.</param>
/// <param name="Index">The class index.</param>
/// <param name="Probability">Its softmax probability.</param>
public sealed record ClassProbability(string Class, int Index, float Probability);
