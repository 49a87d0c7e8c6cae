namespace MlNetVision.Data;

/// <summary>How an image is brought to the square target size (fastai v1's <c>ResizeMethod</c>).</summary>
public enum ResizeMethod
{
    /// <summary>Scale so the shorter side fits, then crop the longer side (random position for training, centre otherwise).</summary>
    Crop,

    /// <summary>Scale so the longer side fits, then fill the rest by reflecting the image (fastai's reflection padding).</summary>
    Pad,

    /// <summary>Scale each side independently to the target size, ignoring the aspect ratio.</summary>
    Squish,
}
