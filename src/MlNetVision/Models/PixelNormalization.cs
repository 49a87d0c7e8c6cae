using MlNetVision.Data;

namespace MlNetVision.Models;

/// <summary>
/// What a set of weights expects as input, described from RGB pixels in 0..1: optionally swap to BGR, multiply by
/// <see cref="Scale"/>, subtract <see cref="Mean"/> and divide by <see cref="Std"/> per channel (in the expected order).
/// </summary>
/// <param name="Bgr">Whether the weights expect BGR channel order.</param>
/// <param name="Scale">The pixel range the weights expect (1 for 0..1, 255 for 0..255).</param>
/// <param name="Mean">Per-channel mean in the expected order and range.</param>
/// <param name="Std">Per-channel standard deviation in the expected order and range.</param>
public sealed record PixelNormalization(bool Bgr, float Scale, float[] Mean, float[] Std)
{
    /// <summary>ImageNet statistics for RGB in 0..1 (torchvision and fastai), <see cref="NormalizationStats.ImageNet"/>: mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).</summary>
    public static PixelNormalization ImageNet { get; } = new(false, 1f, [.. NormalizationStats.ImageNet.Mean], [.. NormalizationStats.ImageNet.Std]);

    /// <summary>
    /// What ML.NET's CNTK ResNet18 expects: BGR, 0..255, minus the channel means of <c>ResNetPreprocess.onnx</c>'s mean
    /// image (B 103.06, G 115.90, R 123.15), no division.
    /// </summary>
    public static PixelNormalization MlNetResNet { get; } = new(true, 255f, [103.0626f, 115.9029f, 123.1516f], [1f, 1f, 1f]);
}
