namespace MlNetVision.Training;

/// <summary>The prediction for one image (fastai <c>learn.predict</c>: category, index, probabilities).</summary>
/// <param name="Class">The predicted class name.</param>
/// <param name="Index">The predicted class index.</param>
/// <param name="Probabilities">Softmax probability of each class, index order.</param>
public sealed record Prediction(string Class, int Index, float[] Probabilities);
