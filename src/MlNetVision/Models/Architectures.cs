namespace MlNetVision.Models;

/// <summary>The architecture table: every ResNet MlNetVision can build.</summary>
public static class Architectures
{
    private const string TorchvisionModels = "https://download.pytorch.org/models/";

    /// <summary>torchvision's ResNet18: basic blocks [2, 2, 2, 2], 512 features. No weights ship: pass torchvision's (<c>resnet18-f37072fd.pth</c>) as <c>LearnerOptions.Weights</c>.</summary>
    public static ResNetArchitecture ResNet18 { get; } = new("resnet18", ResNetBlock.Basic, [2, 2, 2, 2], PaddingStyle.Symmetric, PixelNormalization.ImageNet, PretrainedSource.None)
        { TorchvisionWeightsUrl = TorchvisionModels + "resnet18-f37072fd.pth" };

    /// <summary>torchvision's ResNet34: basic blocks [3, 4, 6, 3], 512 features. No weights ship: pass torchvision's (<c>resnet34-b627a593.pth</c>) as <c>LearnerOptions.Weights</c>.</summary>
    public static ResNetArchitecture ResNet34 { get; } = new("resnet34", ResNetBlock.Basic, [3, 4, 6, 3], PaddingStyle.Symmetric, PixelNormalization.ImageNet, PretrainedSource.None)
        { TorchvisionWeightsUrl = TorchvisionModels + "resnet34-b627a593.pth" };

    /// <summary>torchvision's ResNet50: bottleneck blocks [3, 4, 6, 3], 2048 features. No weights ship: pass torchvision's (<c>resnet50-0676ba61.pth</c>) as <c>LearnerOptions.Weights</c>.</summary>
    public static ResNetArchitecture ResNet50 { get; } = new("resnet50", ResNetBlock.Bottleneck, [3, 4, 6, 3], PaddingStyle.Symmetric, PixelNormalization.ImageNet, PretrainedSource.None)
        { TorchvisionWeightsUrl = TorchvisionModels + "resnet50-0676ba61.pth" };

    /// <summary>torchvision's ResNet101: bottleneck blocks [3, 4, 23, 3], 2048 features. No weights ship: pass torchvision's (<c>resnet101-63fe2227.pth</c>) as <c>LearnerOptions.Weights</c>.</summary>
    public static ResNetArchitecture ResNet101 { get; } = new("resnet101", ResNetBlock.Bottleneck, [3, 4, 23, 3], PaddingStyle.Symmetric, PixelNormalization.ImageNet, PretrainedSource.None)
        { TorchvisionWeightsUrl = TorchvisionModels + "resnet101-63fe2227.pth" };

    /// <summary>torchvision's ResNet152: bottleneck blocks [3, 8, 36, 3], 2048 features. No weights ship: pass torchvision's (<c>resnet152-394f9c45.pth</c>) as <c>LearnerOptions.Weights</c>.</summary>
    public static ResNetArchitecture ResNet152 { get; } = new("resnet152", ResNetBlock.Bottleneck, [3, 8, 36, 3], PaddingStyle.Symmetric, PixelNormalization.ImageNet, PretrainedSource.None)
        { TorchvisionWeightsUrl = TorchvisionModels + "resnet152-394f9c45.pth" };

    /// <summary>
    /// The ImageNet-pretrained "ResNet18" that ML.NET ships offline in <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c>:
    /// a CNTK export whose layout is not torchvision's — basic blocks [2, 2, 2, 3] (layer4 has three blocks; 22
    /// convolutions, 15.9M parameters), asymmetric padding, BGR 0..255 input. The only architecture with weights that
    /// need no download; the default for transfer learning.
    /// </summary>
    public static ResNetArchitecture ResNet18MlNet { get; } = new("resnet18-mlnet", ResNetBlock.Basic, [2, 2, 2, 3], PaddingStyle.CntkAsymmetric, PixelNormalization.MlNetResNet, PretrainedSource.MlNetDnnImageFeaturizer);

    /// <summary>Every architecture, in table order.</summary>
    public static IReadOnlyList<ResNetArchitecture> All { get; } = [ResNet18MlNet, ResNet18, ResNet34, ResNet50, ResNet101, ResNet152];

    /// <summary>Looks an architecture up by name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No architecture has that name; the message lists the known ones.</exception>
    public static ResNetArchitecture Get(string name) =>
        All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown architecture '{name}'. Known: {string.Join(", ", All.Select(a => a.Name))}.", nameof(name));
}
