namespace MlNetVision.Cli.Scoring;

/// <summary>An image file with its label name, for scoring with the labels alongside (<c>evaluate</c>).</summary>
public sealed class LabelledImageInput
{
    /// <summary>The image file's path.</summary>
    public string ImagePath { get; set; } = "";

    /// <summary>The label name.</summary>
    public string Label { get; set; } = "";
}
