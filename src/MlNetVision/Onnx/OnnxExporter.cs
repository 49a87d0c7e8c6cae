using Google.Protobuf;
using MlNetVision.IO;
using MlNetVision.Models;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MlNetVision.Onnx.OnnxGraphBuilder;
using DataType = Onnx.TensorProto.Types.DataType;

namespace MlNetVision.Onnx;

/// <summary>
/// Writes a <see cref="VisionModel"/> as an ONNX graph that takes raw pixels and returns class probabilities, with the
/// same numbers as the model in eval mode (dropout is the identity, batch norm uses its running statistics).
/// </summary>
/// <remarks>
/// <para>The graph is written node by node with OnnxSharp's protobuf classes, so no Python or tracing is involved:</para>
/// <list type="bullet">
/// <item>Input: float <c>[N, 3, H, W]</c>, planar RGB in 0..<see cref="OnnxExportOptions.InputScale"/> (255 by default:
/// what ML.NET's <c>ExtractPixels</c> produces with its defaults). The model's own normalisation (BGR swap, scale,
/// mean, std) follows as one per-channel <c>Mul</c> and <c>Add</c>; the channel swap is folded into the stem's weights.
/// The affine step is not folded into the stem convolution because the convolution zero-pads the <em>normalised</em>
/// image, which an input-space fold would get wrong on the border.</item>
/// <item>Body: every <c>BatchNorm2d</c> is folded into the convolution before it (a <c>Conv</c> with bias). ML.NET's CNTK
/// ResNet18 keeps its padding as <c>auto_pad = SAME_LOWER</c> on the strided layers (for even sides <c>[1,1,0,0]</c> for
/// stride-2 3x3 convolutions and the max pool, <c>[3,3,2,2]</c> for the stem; symmetric for odd sides), so the exported
/// model takes any size the body takes; torchvision layouts get symmetric <c>pads</c>.</item>
/// <item>Head: <c>GlobalMaxPool</c> and <c>GlobalAveragePool</c> concatenated (fastai's concat pool), <c>Flatten</c>, then
/// each <c>BatchNorm1d</c> folded into the <c>Linear</c> after it (a <c>Gemm</c>), <c>Relu</c> between them, dropout left
/// out.</item>
/// <item>Outputs: <c>Softmax</c> probabilities and the <c>ArgMax</c> index (int64).</item>
/// </list>
/// <para>Folding is computed in float64 and stored as float32.</para>
/// </remarks>
public static class OnnxExporter
{
    /// <summary>Exports <paramref name="model"/> to <paramref name="path"/>, written atomically.</summary>
    /// <param name="model">The trained model; its mode does not matter, the graph always has eval semantics.</param>
    /// <param name="path">The file to write (folders are created).</param>
    /// <param name="options">Names, input layout and metadata; defaults as documented on <see cref="OnnxExportOptions"/>.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="NotSupportedException">The head holds a layer the exporter does not know.</exception>
    public static string Export(VisionModel model, string path, OnnxExportOptions? options = null)
    {
        var proto = ToModelProto(model, options);
        return AtomicFile.Write(path, stream => proto.WriteTo(stream));
    }

    /// <summary>Builds the ONNX model of <paramref name="model"/> in memory (see <see cref="Export"/>).</summary>
    /// <exception cref="NotSupportedException">The head holds a layer the exporter does not know.</exception>
    public static ModelProto ToModelProto(VisionModel model, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        if (options.InputScale <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.InputScale, "InputScale must be positive.");
        if (options.ClassNames is { } names && names.Count != model.NumClasses)
            throw new ArgumentException($"{names.Count} class names were given for a model with {model.NumClasses} classes.", nameof(options));

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var b = new OnnxGraphBuilder();
        bool single = options.BatchLayout == OnnxBatchLayout.SingleImage;
        object batch = single ? 1 : "N";
        object height = options.Height is { } h ? h : "height";
        object width = options.Width is { } w ? w : "width";
        bool argb = options.PixelInput == OnnxPixelInput.PremultipliedArgb;
        b.Graph.Input.Add(Value(options.InputName, DataType.Float, batch, argb ? 4 : 3, height, width));

        var rgb = argb ? OntoWhite(b, options.InputName, options.InputScale) : options.InputName;
        var x = Normalization(b, model.Normalize.Normalization, options.InputScale, rgb, out var channelOrder);
        x = Body(b, model.Body, x, channelOrder);
        var logits = Head(b, model.Head, x);

        string probabilities, index;
        if (single)
        {
            var flat = b.Node("Reshape", [logits, b.Int64Initializer("flat_shape", [-1])]);
            probabilities = b.Node("Softmax", [flat], [Int("axis", 0)], options.ProbabilitiesName);
            index = b.Node("ArgMax", [probabilities], [Int("axis", 0), Int("keepdims", 1)], options.PredictedIndexName);
            b.Graph.Output.Add(Value(probabilities, DataType.Float, model.NumClasses));
            b.Graph.Output.Add(Value(index, DataType.Int64, 1));
        }
        else
        {
            probabilities = b.Node("Softmax", [logits], [Int("axis", 1)], options.ProbabilitiesName);
            index = b.Node("ArgMax", [probabilities], [Int("axis", 1), Int("keepdims", 0)], options.PredictedIndexName);
            b.Graph.Output.Add(Value(probabilities, DataType.Float, "N", model.NumClasses));
            b.Graph.Output.Add(Value(index, DataType.Int64, "N"));
        }

        var proto = new ModelProto
        {
            IrVersion = 7,
            ProducerName = "MlNetVision",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            DocString = $"{model.Architecture.Name} with fastai's head, {model.NumClasses} classes. Input '{options.InputName}': float " +
                        (argb ? $"[N,4,H,W] planar alpha + premultiplied RGB (ML.NET ExtractPixels, ColorBits.All) in 0..{options.InputScale}, composited onto white. " : $"[N,3,H,W] planar RGB in 0..{options.InputScale}. ") +
                        $"Outputs '{options.ProbabilitiesName}' (softmax) and '{options.PredictedIndexName}' (argmax, int64).",
            Graph = b.Graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "architecture", Value = model.Architecture.Name });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "input_scale", Value = options.InputScale.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        proto.MetadataProps.Add(new StringStringEntryProto { Key = "pixel_input", Value = options.PixelInput.ToString() });
        if (options.ClassNames is { } classNames)
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = "class_names", Value = string.Join('\n', classNames) });
            SlotNames(b, options.ProbabilitiesName, classNames);
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = 2 });
        }
        return proto;
    }

    /// <summary>
    /// ML.NET's convention for slot names (what its own ONNX export writes): a node named <c>mlnet.&lt;output&gt;.SlotNames</c>
    /// whose <c>keys_strings</c> attribute lists them. ML.NET's ONNX transformer then gives the output column a
    /// <c>SlotNames</c> annotation, so the <c>Score</c> column names its classes. The node is a valid, unused
    /// <c>LabelEncoder</c>, so ONNX Runtime accepts (and prunes) it.
    /// </summary>
    private static void SlotNames(OnnxGraphBuilder b, string output, IReadOnlyList<string> names)
    {
        var input = new TensorProto { Name = $"mlnet_{output}_slot_names_input", DataType = (int)DataType.String };
        input.Dims.Add(1);
        input.StringData.Add(ByteString.CopyFromUtf8(names[0]));
        b.Graph.Initializer.Add(input);
        var node = new NodeProto { OpType = "LabelEncoder", Domain = "ai.onnx.ml", Name = $"mlnet.{output}.SlotNames" };
        node.Input.Add(input.Name);
        node.Output.Add($"mlnet_{output}_slot_names_output");
        var keys = new AttributeProto { Name = "keys_strings", Type = AttributeProto.Types.AttributeType.Strings };
        keys.Strings.AddRange(names.Select(ByteString.CopyFromUtf8));
        node.Attribute.Add(keys);
        node.Attribute.Add(Ints("values_int64s", Enumerable.Range(0, names.Count).Select(i => (long)i).ToArray()));
        b.Graph.Node.Add(node);
    }

    /// <summary>
    /// Composites planar premultiplied ARGB onto white: <c>min(c − a + S, S)</c> for each colour channel <c>c</c> (S the
    /// full-intensity value). On ML.NET's integer pixels this is exact, and it is the arithmetic of the learner's loader.
    /// </summary>
    private static string OntoWhite(OnnxGraphBuilder b, string input, float scale)
    {
        var axis = b.Int64Initializer("channel_axis", [1]);
        var alpha = b.Node("Slice", [input, b.Int64Initializer("alpha_start", [0]), b.Int64Initializer("alpha_end", [1]), axis]);
        var color = b.Node("Slice", [input, b.Int64Initializer("color_start", [1]), b.Int64Initializer("color_end", [4]), axis]);
        var full = b.Initializer("full_intensity", [scale], 1);
        var onWhite = b.Node("Add", [b.Node("Sub", [color, alpha]), full]);
        return b.Node("Min", [onWhite, full]);
    }

    /// <summary>
    /// Emits the per-channel affine step from raw input pixels to what the weights expect, in input (RGB) order, and returns
    /// which input channel each weight channel reads (the BGR swap is left to the stem's weights).
    /// </summary>
    private static string Normalization(OnnxGraphBuilder b, PixelNormalization n, float inputScale, string input, out long[] channelOrder)
    {
        // Weight channel c reads input channel order[c]: for BGR weights, c=0 (blue) reads RGB channel 2.
        channelOrder = n.Bgr ? [2, 1, 0] : [0, 1, 2];
        var mul = new float[3];
        var add = new float[3];
        for (int c = 0; c < 3; c++)
        {
            long j = channelOrder[c];
            mul[j] = (float)(n.Scale / ((double)inputScale * n.Std[c]));
            add[j] = (float)(-(double)n.Mean[c] / n.Std[c]);
        }
        var scaled = b.Node("Mul", [input, b.Initializer("input_scale", mul, 1, 3, 1, 1)]);
        return b.Node("Add", [scaled, b.Initializer("input_shift", add, 1, 3, 1, 1)]);
    }

    private static string Body(OnnxGraphBuilder b, ResNetBody body, string x, long[] channelOrder)
    {
        var modules = body.named_modules().ToDictionary(m => m.name, m => m.module);
        T M<T>(string name) where T : class => modules.TryGetValue(name, out var m) && m is T t
            ? t : throw new InvalidOperationException($"The body has no {typeof(T).Name} named '{name}'.");
        var architecture = body.Architecture;
        var style = architecture.Padding;

        // Weight channel c reads input channel channelOrder[c]; the conv must see input channel j at position j.
        var inverse = new long[3];
        for (int c = 0; c < 3; c++) inverse[channelOrder[c]] = c;
        x = ConvBn(b, x, M<Conv2d>("conv1"), M<BatchNorm2d>("bn1"), 7, 2, style, inverse);
        x = b.Node("Relu", [x]);
        x = b.Node("MaxPool", [x], [Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Padding(style, 3, 2)]);

        for (int stage = 0; stage < 4; stage++)
        {
            for (int i = 0; i < architecture.Layers[stage]; i++)
            {
                string p = $"layer{stage + 1}.{i}";
                int stride = stage > 0 && i == 0 ? 2 : 1;
                var identity = x;
                string y;
                if (architecture.Block == ResNetBlock.Basic)
                {
                    y = b.Node("Relu", [ConvBn(b, x, M<Conv2d>(p + ".conv1"), M<BatchNorm2d>(p + ".bn1"), 3, stride, style)]);
                    y = ConvBn(b, y, M<Conv2d>(p + ".conv2"), M<BatchNorm2d>(p + ".bn2"), 3, 1, style);
                }
                else
                {
                    y = b.Node("Relu", [ConvBn(b, x, M<Conv2d>(p + ".conv1"), M<BatchNorm2d>(p + ".bn1"), 1, 1, style)]);
                    y = b.Node("Relu", [ConvBn(b, y, M<Conv2d>(p + ".conv2"), M<BatchNorm2d>(p + ".bn2"), 3, stride, style)]);
                    y = ConvBn(b, y, M<Conv2d>(p + ".conv3"), M<BatchNorm2d>(p + ".bn3"), 1, 1, style);
                }
                if (modules.ContainsKey(p + ".downsample"))
                    identity = ConvBn(b, x, M<Conv2d>(p + ".downsample.0"), M<BatchNorm2d>(p + ".downsample.1"), 1, stride, style);
                x = b.Node("Relu", [b.Node("Add", [y, identity])]);
            }
        }
        return x;
    }

    /// <summary>A convolution with the batch norm after it folded in: <c>W·s</c>, bias <c>β − μ·s</c> with <c>s = γ/√(σ²+ε)</c>.</summary>
    private static string ConvBn(OnnxGraphBuilder b, string x, Conv2d conv, BatchNorm2d bn, int kernel, int stride, PaddingStyle style, long[]? inputPermutation = null)
    {
        using var scope = NewDisposeScope();
        var s = bn.weight!.detach().to_type(ScalarType.Float64) / (bn.running_var!.to_type(ScalarType.Float64) + bn.eps).sqrt();
        var weight = conv.weight!.detach().to_type(ScalarType.Float64) * s.reshape(-1, 1, 1, 1);
        if (inputPermutation is not null) weight = weight.index_select(1, tensor(inputPermutation, device: weight.device));
        var bias = bn.bias!.detach().to_type(ScalarType.Float64) - bn.running_mean!.to_type(ScalarType.Float64) * s;
        if (conv.bias is { } convBias) bias = bias + convBias.detach().to_type(ScalarType.Float64) * s;

        return b.Node("Conv", [x, b.Initializer("conv_w", Floats(weight), weight.shape), b.Initializer("conv_b", Floats(bias), bias.shape)],
            [Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride), Padding(style, kernel, stride)]);
    }

    /// <summary>
    /// The layer's padding attribute: <c>auto_pad = SAME_LOWER</c> where the body pads from the input's size (CNTK's
    /// strided layers; see <see cref="ResNetPadding"/>), so the exported model takes any image size as the body does;
    /// otherwise symmetric <c>pads</c> of <c>kernel / 2</c>.
    /// </summary>
    private static AttributeProto Padding(PaddingStyle style, int kernel, int stride)
    {
        if (!ResNetPadding.IsSameLower(style, kernel, stride)) return Ints("pads", Enumerable.Repeat((long)(kernel / 2), 4).ToArray());
        return new AttributeProto { Name = "auto_pad", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8("SAME_LOWER") };
    }

    private static string Head(OnnxGraphBuilder b, Sequential head, string x)
    {
        (Tensor Scale, Tensor Shift)? pending = null; // a BatchNorm1d waiting for the next Linear
        using var scope = NewDisposeScope();
        foreach (var (name, module) in head.named_children())
        {
            switch (module)
            {
                case AdaptiveConcatPool2d:
                    x = b.Node("Concat", [b.Node("GlobalMaxPool", [x]), b.Node("GlobalAveragePool", [x])], [Int("axis", 1)]);
                    break;
                case AdaptiveAvgPool2d:
                    x = b.Node("GlobalAveragePool", [x]);
                    break;
                case Flatten:
                    x = b.Node("Flatten", [x], [Int("axis", 1)]);
                    break;
                case Dropout:
                    break; // identity at eval
                case BatchNorm1d bn:
                    if (pending is not null) x = Affine(b, x, pending.Value);
                    var s = bn.weight!.detach().to_type(ScalarType.Float64) / (bn.running_var!.to_type(ScalarType.Float64) + bn.eps).sqrt();
                    pending = (s, bn.bias!.detach().to_type(ScalarType.Float64) - bn.running_mean!.to_type(ScalarType.Float64) * s);
                    break;
                case Linear linear:
                    var weight = linear.weight!.detach().to_type(ScalarType.Float64);
                    var bias = linear.bias is { } lb ? lb.detach().to_type(ScalarType.Float64) : zeros(weight.shape[0], dtype: ScalarType.Float64, device: weight.device);
                    if (pending is { } bnFold)
                    {
                        // W·(s∘x + t) + c = (W·diag(s))·x + (W·t + c)
                        bias = bias + weight.matmul(bnFold.Shift);
                        weight = weight * bnFold.Scale.unsqueeze(0);
                        pending = null;
                    }
                    x = b.Node("Gemm", [x, b.Initializer("fc_w", Floats(weight), weight.shape), b.Initializer("fc_b", Floats(bias), bias.shape)], [Int("transB", 1)]);
                    break;
                case ReLU:
                    if (pending is not null) { x = Affine(b, x, pending.Value); pending = null; }
                    x = b.Node("Relu", [x]);
                    break;
                default:
                    throw new NotSupportedException($"The ONNX exporter does not know the head layer '{name}' ({module.GetType().Name}).");
            }
        }
        return pending is null ? x : Affine(b, x, pending.Value);
    }

    private static string Affine(OnnxGraphBuilder b, string x, (Tensor Scale, Tensor Shift) bn) =>
        b.Node("Add", [b.Node("Mul", [x, b.Initializer("bn_scale", Floats(bn.Scale), bn.Scale.shape)]), b.Initializer("bn_shift", Floats(bn.Shift), bn.Shift.shape)]);

    private static float[] Floats(Tensor t) => t.to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
}
