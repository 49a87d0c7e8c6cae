namespace MlNetVision.Models;

/// <summary>
/// One row of the architecture table: the body's layout, how to cut it and split it into layer groups, how many
/// features it produces, the input it expects, and where pretrained weights come from.
/// </summary>
/// <param name="Name">The name used in options, checkpoints and the command line, e.g. <c>resnet34</c>.</param>
/// <param name="Block">The residual block type.</param>
/// <param name="Layers">Blocks per stage (layer1..layer4).</param>
/// <param name="Padding">How convolutions pad.</param>
/// <param name="Normalization">The input the weights expect.</param>
/// <param name="Pretrained">Where pretrained weights come from.</param>
public sealed record ResNetArchitecture(
    string Name, ResNetBlock Block, int[] Layers, PaddingStyle Padding, PixelNormalization Normalization, PretrainedSource Pretrained)
{
    /// <summary>
    /// Where torchvision publishes ImageNet weights for this layout (<c>IMAGENET1K_V1</c>), for error messages and docs;
    /// <see langword="null"/> when torchvision has none. MlNetVision never downloads it: pass the file you downloaded as
    /// <c>LearnerOptions.Weights</c>.
    /// </summary>
    public string? TorchvisionWeightsUrl { get; init; }

    /// <summary>Channel multiplier of the block (1 for basic, 4 for bottleneck).</summary>
    public int Expansion => Block == ResNetBlock.Basic ? 1 : 4;

    /// <summary>Number of feature maps the body outputs (512 for ResNet18/34, 2048 for ResNet50 and up).</summary>
    public int NumFeatures => 512 * Expansion;

    /// <summary>
    /// fastai's cut point: the body is torchvision's model without its last two children (average pool and fc),
    /// i.e. <c>cut = -2</c> in fastai v1's <c>model_meta</c>.
    /// </summary>
    public int Cut => -2;

    /// <summary>
    /// The body's modules per layer group, before the head (fastai v1 <c>_resnet_split</c>: stem+layer1+layer2, then
    /// layer3+layer4; the head is the third group).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> LayerGroupSplit { get; } = [["conv1", "bn1", "layer1", "layer2"], ["layer3", "layer4"]];
}
