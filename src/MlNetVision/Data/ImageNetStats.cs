namespace MlNetVision.Data;

/// <summary>fastai's <c>imagenet_stats</c>: the ImageNet per-channel mean and standard deviation.</summary>
public static class ImageNetStats
{
    /// <summary>The per-channel mean (R, G, B) of ImageNet in 0..1.</summary>
    public static IReadOnlyList<float> Mean => NormalizationStats.ImageNet.Mean;

    /// <summary>The per-channel standard deviation (R, G, B) of ImageNet in 0..1.</summary>
    public static IReadOnlyList<float> Std => NormalizationStats.ImageNet.Std;

    /// <summary>Both as one <see cref="NormalizationStats"/>.</summary>
    public static NormalizationStats Stats => NormalizationStats.ImageNet;
}
