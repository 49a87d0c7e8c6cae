namespace MlNetVision.Cli.Scoring;

/// <summary>The input row of an mlnet-vision model.zip: the path of one image file (column <c>ImagePath</c>).</summary>
public sealed class ImageInput
{
    /// <summary>The image file's path.</summary>
    public string ImagePath { get; set; } = "";
}
