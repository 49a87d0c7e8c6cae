namespace MlNetVision.Data;

/// <summary>Per-channel mean and standard deviation of RGB images in 0..1, for callers that normalise themselves.</summary>
/// <param name="Mean">The mean of the R, G and B channels.</param>
/// <param name="Std">The standard deviation of the R, G and B channels.</param>
/// <remarks>The data side never normalises: models do (see docs/ARCHITECTURE.md). This type exists for callers who need the numbers.</remarks>
public sealed record NormalizationStats(IReadOnlyList<float> Mean, IReadOnlyList<float> Std)
{
    /// <summary>The ImageNet statistics used by torchvision's pretrained weights and by fastai's <c>imagenet_stats</c>.</summary>
    public static NormalizationStats ImageNet { get; } = new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
}
