using MlNetVision.Data;

namespace MlNetVision.Training;

/// <summary>What <see cref="VisionPredictor.PredictFiles"/> and <see cref="VisionPredictor.PredictFolder"/> return.</summary>
/// <param name="Items">The predicted files, in input order.</param>
/// <param name="Skipped">The files that could not be decoded, and why.</param>
public sealed record BatchPredictions(IReadOnlyList<FilePrediction> Items, IReadOnlyList<SkippedInput> Skipped);
