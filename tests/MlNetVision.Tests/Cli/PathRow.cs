namespace MlNetVision.Tests.Cli;

/// <summary>The input row of an mlnet-vision model.zip.</summary>
internal sealed class PathRow
{
    /// <summary>The image file.</summary>
    public string ImagePath { get; set; } = "";
}
