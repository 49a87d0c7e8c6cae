namespace MlNetVision.Interpretation;

/// <summary>
/// The sizes a batch of <see cref="HeatMap"/>s share: the model's input (the map's pixels) and the body's last feature
/// map (the map's real resolution, input / 32 for ResNets).
/// </summary>
internal readonly record struct HeatMapGeometry(int Height, int Width, int FeatureHeight, int FeatureWidth);
