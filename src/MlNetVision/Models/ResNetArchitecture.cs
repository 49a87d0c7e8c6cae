namespace MlNetVision.Models;

/// <summary>The residual block a ResNet stage is made of.</summary>
public enum ResNetBlock
{
    /// <summary>Two 3x3 convolutions (ResNet18/34); expansion 1.</summary>
    Basic,

    /// <summary>1x1, 3x3 (with the stride, as torchvision's "v1.5"), 1x1 convolutions (ResNet50/101/152); expansion 4.</summary>
    Bottleneck,
}

/// <summary>How convolutions and the stem's max pool pad their input.</summary>
public enum PaddingStyle
{
    /// <summary>PyTorch/torchvision: the same padding on every side.</summary>
    Symmetric,

    /// <summary>
    /// CNTK's export in ML.NET's DnnImageFeaturizer ResNet18: stride-2 3x3 convolutions and the max pool pad one row
    /// and column at the top/left only (ONNX pads <c>[1,1,0,0]</c>), the 7x7 stem three at the top/left and two at the
    /// bottom/right (<c>[3,3,2,2]</c>).
    /// </summary>
    CntkAsymmetric,
}

/// <summary>Where an architecture's pretrained weights come from.</summary>
public enum PretrainedSource
{
    /// <summary>No weights ship with the library; load your own with <see cref="StateDictLoader"/>.</summary>
    None,

    /// <summary>The ImageNet-trained ONNX file in the <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> NuGet package.</summary>
    MlNetDnnImageFeaturizer,
}

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
    /// <summary>ImageNet statistics for RGB in 0..1 (torchvision and fastai): mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225).</summary>
    public static PixelNormalization ImageNet { get; } = new(false, 1f, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>
    /// What ML.NET's CNTK ResNet18 expects: BGR, 0..255, minus the channel means of <c>ResNetPreprocess.onnx</c>'s mean
    /// image (B 103.06, G 115.90, R 123.15), no division.
    /// </summary>
    public static PixelNormalization MlNetResNet { get; } = new(true, 255f, [103.0626f, 115.9029f, 123.1516f], [1f, 1f, 1f]);
}

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

/// <summary>The architecture table: every ResNet MlNetVision can build.</summary>
public static class Architectures
{
    /// <summary>torchvision's ResNet18: basic blocks [2, 2, 2, 2], 512 features. No weights ship; load your own.</summary>
    public static ResNetArchitecture ResNet18 { get; } = new("resnet18", ResNetBlock.Basic, [2, 2, 2, 2], PaddingStyle.Symmetric, PixelNormalization.ImageNet, PretrainedSource.None);

    /// <summary>torchvision's ResNet34: basic blocks [3, 4, 6, 3], 512 features. No weights ship; load your own.</summary>
    public static ResNetArchitecture ResNet34 { get; } = new("resnet34", ResNetBlock.Basic, [3, 4, 6, 3], PaddingStyle.Symmetric, PixelNormalization.ImageNet, PretrainedSource.None);

    /// <summary>torchvision's ResNet50: bottleneck blocks [3, 4, 6, 3], 2048 features. No weights ship; load your own.</summary>
    public static ResNetArchitecture ResNet50 { get; } = new("resnet50", ResNetBlock.Bottleneck, [3, 4, 6, 3], PaddingStyle.Symmetric, PixelNormalization.ImageNet, PretrainedSource.None);

    /// <summary>torchvision's ResNet101: bottleneck blocks [3, 4, 23, 3], 2048 features. No weights ship; load your own.</summary>
    public static ResNetArchitecture ResNet101 { get; } = new("resnet101", ResNetBlock.Bottleneck, [3, 4, 23, 3], PaddingStyle.Symmetric, PixelNormalization.ImageNet, PretrainedSource.None);

    /// <summary>torchvision's ResNet152: bottleneck blocks [3, 8, 36, 3], 2048 features. No weights ship; load your own.</summary>
    public static ResNetArchitecture ResNet152 { get; } = new("resnet152", ResNetBlock.Bottleneck, [3, 8, 36, 3], PaddingStyle.Symmetric, PixelNormalization.ImageNet, PretrainedSource.None);

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
