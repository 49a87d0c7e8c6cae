using MlNetVision.Native;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MlNetVision.Models;

/// <summary>
/// The network a learner trains: <c>normalize</c> (the weights' own input statistics) → <c>body</c> (a ResNet cut
/// before its pool) → <c>head</c> (fastai's: concat pool → flatten → BN → dropout 0.25 → linear(2·nf, 512) → ReLU → BN →
/// dropout 0.5 → linear(512, classes)). Input: RGB float <c>[B, 3, H, W]</c> in 0..1; output: class logits.
/// </summary>
public sealed class VisionModel : Module<Tensor, Tensor>
{
    private readonly InputNormalization normalize;
    private readonly ResNetBody body;
    private readonly Sequential head;

    private VisionModel(ResNetArchitecture architecture, int numClasses, HeadOptions headOptions) : base(nameof(VisionModel))
    {
        Architecture = architecture;
        NumClasses = numClasses;
        normalize = new InputNormalization(architecture.Normalization);
        body = new ResNetBody(architecture);
        head = CreateHead(architecture.NumFeatures, numClasses, headOptions);
        RegisterComponents();
    }

    /// <summary>The architecture of the body.</summary>
    public ResNetArchitecture Architecture { get; }

    /// <summary>Number of classes the head predicts.</summary>
    public int NumClasses { get; }

    /// <summary>The input normalisation layer.</summary>
    public InputNormalization Normalize => normalize;

    /// <summary>The ResNet body.</summary>
    public ResNetBody Body => body;

    /// <summary>The classifier head.</summary>
    public Sequential Head => head;

    /// <summary>Where the body's starting weights came from (<see cref="ShippedWeightsSource"/>, a weights file and its hash, or <see cref="RandomWeightsSource"/>); checkpoints record it.</summary>
    public string WeightsSource { get; internal set; } = RandomWeightsSource;

    /// <summary>The <see cref="WeightsSource"/> of a body that starts from random weights.</summary>
    public const string RandomWeightsSource = "random initialisation (trained from scratch)";

    /// <summary>The <see cref="WeightsSource"/> of ML.NET's shipped ResNet18 weights.</summary>
    public const string ShippedWeightsSource = "ML.NET's ImageNet ResNet18 (NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18)";

    /// <summary>
    /// Builds a model for <paramref name="numClasses"/> classes (fastai v1 <c>create_cnn_model</c>). With
    /// <paramref name="pretrained"/>, the body's weights come from the architecture's <see cref="PretrainedSource"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="pretrained"/> was asked for an architecture with no shipped weights.</exception>
    public static VisionModel Create(ResNetArchitecture architecture, int numClasses, bool pretrained = true, HeadOptions? head = null)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        if (numClasses < 2) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "A classifier needs at least two classes.");
        NativeBackend.EnsureLoaded();
        var model = new VisionModel(architecture, numClasses, head ?? new HeadOptions());
        if (pretrained)
        {
            if (architecture.Pretrained != PretrainedSource.MlNetDnnImageFeaturizer)
                throw new InvalidOperationException(
                    $"No pretrained weights ship for {architecture.Name}. Use {Architectures.ResNet18MlNet.Name} (ImageNet weights from ML.NET's DnnImageFeaturizer package), " +
                    "create the model with pretrained: false, or pass your own torchvision weights to FromWeights (LearnerOptions.Weights).");
            MlNetResNet18Weights.LoadInto(model.body);
            model.WeightsSource = ShippedWeightsSource;
        }
        return model;
    }

    /// <summary>
    /// Builds a model whose body starts from the torchvision state dict at <paramref name="weightsPath"/> (<c>.pth</c> or
    /// <c>.safetensors</c>, see <see cref="TorchvisionWeights"/>) and whose head is new.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist; the message says where torchvision publishes the weights.</exception>
    /// <exception cref="InvalidDataException">The file is for another architecture (the message names the tensor and both shapes) or is not a state dict.</exception>
    public static VisionModel FromWeights(ResNetArchitecture architecture, int numClasses, string weightsPath, HeadOptions? head = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(weightsPath);
        var model = Create(architecture, numClasses, pretrained: false, head);
        try
        {
            model.WeightsSource = TorchvisionWeights.LoadInto(model.body, weightsPath);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>fastai v1's <c>create_head</c>: pooling, flatten, then BN/dropout/linear(/ReLU) for each size; linear layers Kaiming-normal initialised, biases zero.</summary>
    public static Sequential CreateHead(int numFeatures, int numClasses, HeadOptions? options = null)
    {
        options ??= new HeadOptions();
        var sizes = new List<int> { options.ConcatPool ? numFeatures * 2 : numFeatures };
        sizes.AddRange(options.HiddenSizes);
        sizes.Add(numClasses);
        var layers = new List<Module<Tensor, Tensor>>
        {
            options.ConcatPool ? new AdaptiveConcatPool2d() : AdaptiveAvgPool2d(1),
            Flatten(),
        };
        for (int i = 0; i < sizes.Count - 1; i++)
        {
            bool last = i == sizes.Count - 2;
            var linear = Linear(sizes[i], sizes[i + 1]);
            init.kaiming_normal_(linear.weight);
            init.zeros_(linear.bias);
            layers.Add(BatchNorm1d(sizes[i]));
            layers.Add(Dropout(last ? options.Dropout : options.Dropout / 2));
            layers.Add(linear);
            if (!last) layers.Add(ReLU(inplace: true));
        }
        return Sequential(layers);
    }

    /// <summary>Default of <see cref="ChannelsLast"/>.</summary>
    public const bool DefaultChannelsLast = true;

    /// <summary>
    /// Whether <see cref="forward"/> and <see cref="Features"/> lay the batch out channels-last (NHWC in memory, same
    /// shape and values), the layout oneDNN's convolutions prefer; every layer after it keeps that layout. Measured
    /// 13–15% faster per training step at 224 px (docs/BENCHMARKS.md, "Profile of the 224 px step").
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ChannelsLast { get; set; } = DefaultChannelsLast;

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return head.call(body.call(normalize.call(Layout(x)))).MoveToOuterDisposeScope();
    }

    /// <summary>The features the body produces for RGB 0..1 input (before pooling), for feature extraction.</summary>
    public Tensor Features(Tensor x)
    {
        using var scope = NewDisposeScope();
        return body.call(normalize.call(Layout(x))).MoveToOuterDisposeScope();
    }

    private Tensor Layout(Tensor x) => ChannelsLast && x.dim() == 4 ? ToChannelsLast(x) : x;

    /// <summary>
    /// The same values as <paramref name="x"/> [N,C,H,W] with channels-last strides (PyTorch's
    /// <c>contiguous(memory_format=torch.channels_last)</c>, which TorchSharp does not expose); when
    /// <paramref name="x"/> is laid out so already, the result is a view of it and nothing is copied.
    /// </summary>
    public static Tensor ToChannelsLast(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 4) throw new ArgumentException($"Expected a [N,C,H,W] tensor, got {x.dim()} dimensions.", nameof(x));
        return x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
    }

    /// <summary>
    /// The three layer groups of fastai v1's ResNet split: <c>body.conv1/bn1/layer1/layer2</c>, <c>body.layer3/layer4</c>,
    /// <c>head</c>. Each is a list of (state-dict name, parameter).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<(string Name, Parameter Parameter)>> LayerGroups()
    {
        var split = Architecture.LayerGroupSplit;
        var groups = Enumerable.Range(0, split.Count + 1).Select(_ => new List<(string, Parameter)>()).ToList();
        foreach (var (name, p) in named_parameters())
        {
            int g = split.Count;
            if (name.StartsWith("body.", StringComparison.Ordinal))
            {
                var top = name.Split('.')[1];
                g = Enumerable.Range(0, split.Count).First(i => split[i].Contains(top));
            }
            groups[g].Add((name, p));
        }
        return groups;
    }
}
