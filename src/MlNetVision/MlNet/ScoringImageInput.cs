using Microsoft.ML.Data;

namespace MlNetVision.MlNet;

/// <summary>What the image input column of a scoring model holds.</summary>
public enum ScoringImageInput
{
    /// <summary>Text: the path of an image file, read by ML.NET's <c>LoadImages</c> (relative paths: the image folder).</summary>
    Path,

    /// <summary>ML.NET's own in-memory image, <see cref="MLImage"/> (for example <c>MLImage.CreateFromStream</c>): no file needed.</summary>
    MLImage,
}
