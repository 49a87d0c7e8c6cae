namespace MlNetVision.Data;

/// <summary>
/// How an image is brought to the square target size (fastai v1's <c>ResizeMethod</c>), computed exactly as ML.NET's
/// <c>ResizeImages</c> does it so the served model sees the same pixels.
/// </summary>
public enum ResizeMethod
{
    /// <summary>Scale so the shorter side fits, then crop the longer side (random position for training, centre otherwise; ML.NET's <c>IsoCrop</c>).</summary>
    Crop,

    /// <summary>Scale so the longer side fits, centred, the rest white (ML.NET's <c>IsoPad</c>; fastai reflects instead, which ML.NET cannot serve).</summary>
    Pad,

    /// <summary>Scale each side independently to the target size, ignoring the aspect ratio (ML.NET's <c>Fill</c>, nearest neighbour).</summary>
    Squish,
}
