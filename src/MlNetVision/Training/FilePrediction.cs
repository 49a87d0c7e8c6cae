namespace MlNetVision.Training;

/// <summary>The prediction for one image file.</summary>
/// <param name="Path">The image file.</param>
/// <param name="Prediction">Its class, index and probabilities.</param>
public sealed record FilePrediction(string Path, Prediction Prediction);
