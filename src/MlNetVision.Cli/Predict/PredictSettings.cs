namespace MlNetVision.Cli.Predict;

/// <summary>The parsed options of <c>mlnet-vision predict</c>.</summary>
/// <param name="Model">Path of the model.zip or model.ckpt.</param>
/// <param name="Input">An image file or a folder of images (searched recursively).</param>
/// <param name="Json">Write JSON instead of text.</param>
/// <param name="Top">How many classes to list per image, most probable first.</param>
/// <param name="HeatMap">A folder to write one heat-map picture per image to, or null for none.</param>
public sealed record PredictSettings(string Model, string Input, bool Json, int Top, string? HeatMap = null);
