namespace MlNetVision.Cli.Evaluate;

/// <summary>The parsed options of <c>mlnet-vision evaluate</c>.</summary>
/// <param name="Model">Path of the model.zip or model.ckpt.</param>
/// <param name="Data">The labelled data (folder or CSV).</param>
/// <param name="Report">Path of the HTML report to write.</param>
/// <param name="Top">How many most-confused pairs to print.</param>
public sealed record EvaluateSettings(string Model, string Data, string? Report, int Top);
