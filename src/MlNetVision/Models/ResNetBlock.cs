namespace MlNetVision.Models;

/// <summary>The residual block a ResNet stage is made of.</summary>
public enum ResNetBlock
{
    /// <summary>Two 3x3 convolutions (ResNet18/34); expansion 1.</summary>
    Basic,

    /// <summary>1x1, 3x3 (with the stride, as torchvision's "v1.5"), 1x1 convolutions (ResNet50/101/152); expansion 4.</summary>
    Bottleneck,
}
