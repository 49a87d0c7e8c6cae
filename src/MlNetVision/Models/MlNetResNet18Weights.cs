using System.Runtime.InteropServices;
using Onnx;
using static TorchSharp.torch;

namespace MlNetVision.Models;

/// <summary>
/// Reads the ImageNet-trained weights of ML.NET's offline ResNet18 (<c>ResNet18.onnx</c> in the
/// <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> package, a CNTK 2.6 export) into a <see cref="ResNetBody"/> of
/// <see cref="Architectures.ResNet18MlNet"/>. The ONNX graph is read with OnnxSharp's protobuf classes and walked by
/// topology (stem, then one residual <c>Add</c> per block), so each initializer lands on the torchvision-named parameter
/// it belongs to. Nothing is downloaded: the file comes from the build output or the local NuGet package folder.
/// </summary>
public static class MlNetResNet18Weights
{
    /// <summary>The NuGet package that ships the weights.</summary>
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";

    /// <summary>The package version this library was built against.</summary>
    public const string PackageVersion = "0.23.1";

    /// <summary>Environment variable that points at a <c>ResNet18.onnx</c> file explicitly.</summary>
    public const string PathVariable = "MLNETVISION_RESNET18_ONNX";

    private static readonly object Gate = new();
    private static Dictionary<string, (float[] Data, long[] Shape)>? _cache;

    /// <summary>Finds <c>ResNet18.onnx</c>: <see cref="PathVariable"/>, the application folder's <c>DnnImageModels</c>, then the NuGet package folder.</summary>
    /// <exception cref="FileNotFoundException">The file is nowhere; the message says which package to reference.</exception>
    public static string FindOnnxFile()
    {
        var relative = Path.Combine("DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } explicitPath) candidates.Add(explicitPath);
        candidates.Add(Path.Combine(AppContext.BaseDirectory, relative));
        var nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } n
            ? n
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        candidates.Add(Path.Combine(nugetRoot, PackageId.ToLowerInvariant(), PackageVersion, "tools", relative));
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException(
                $"ML.NET's pretrained ResNet18 (ResNet18.onnx) was not found in: {string.Join(", ", candidates)}. " +
                $"Reference the NuGet package {PackageId} {PackageVersion} (it copies DnnImageModels/ into the build output), or set {PathVariable}.");
    }

    /// <summary>Copies the pretrained weights into <paramref name="body"/>, which must be built from <see cref="Architectures.ResNet18MlNet"/>.</summary>
    /// <param name="body">The body to fill.</param>
    /// <param name="onnxPath">The ONNX file; by default <see cref="FindOnnxFile"/>.</param>
    public static void LoadInto(ResNetBody body, string? onnxPath = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body.Architecture != Architectures.ResNet18MlNet)
            throw new ArgumentException($"These weights fit {Architectures.ResNet18MlNet.Name}, not {body.Architecture.Name}.", nameof(body));
        var weights = onnxPath is null ? Cached() : ReadWeights(onnxPath);
        StateDictLoader.Load(body, weights.Select(kv => (kv.Key, kv.Value.Data, kv.Value.Shape)), $"ResNet18.onnx", strict: true);
    }

    private static Dictionary<string, (float[] Data, long[] Shape)> Cached()
    {
        lock (Gate) return _cache ??= ReadWeights(FindOnnxFile());
    }

    /// <summary>Reads the ONNX file and names every initializer after the torchvision parameter it belongs to.</summary>
    internal static Dictionary<string, (float[] Data, long[] Shape)> ReadWeights(string onnxPath)
    {
        ModelProto model;
        using (var stream = File.OpenRead(onnxPath)) model = ModelProto.Parser.ParseFrom(stream);
        var graph = model.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var producer = new Dictionary<string, NodeProto>();
        foreach (var node in graph.Node)
            foreach (var output in node.Output) producer[output] = node;

        var result = new Dictionary<string, (float[], long[])>();
        void Conv(NodeProto conv, string name)
        {
            if (conv.OpType != "Conv") throw new InvalidDataException($"Expected a Conv node for {name}, found {conv.OpType} {conv.Name}.");
            result[name + ".weight"] = Read(initializers[conv.Input[1]]);
        }
        void Bn(NodeProto bn, string name)
        {
            if (bn.OpType != "BatchNormalization") throw new InvalidDataException($"Expected BatchNormalization for {name}, found {bn.OpType} {bn.Name}.");
            result[name + ".weight"] = Read(initializers[bn.Input[1]]);
            result[name + ".bias"] = Read(initializers[bn.Input[2]]);
            result[name + ".running_mean"] = Read(initializers[bn.Input[3]]);
            result[name + ".running_var"] = Read(initializers[bn.Input[4]]);
        }
        NodeProto Producer(string tensorName) => producer[tensorName];
        int Kernel(NodeProto conv) => (int)conv.Attribute.First(a => a.Name == "kernel_shape").Ints[0];

        var stemConv = graph.Node.First(n => n.OpType == "Conv");
        Conv(stemConv, "conv1");
        Bn(graph.Node.First(n => n.OpType == "BatchNormalization" && n.Input[0] == stemConv.Output[0]), "bn1");

        var blockNames = Architectures.ResNet18MlNet.Layers
            .SelectMany((count, stage) => Enumerable.Range(0, count).Select(i => $"layer{stage + 1}.{i}")).ToList();
        var adds = graph.Node.Where(n => n.OpType == "Add").ToList();
        if (adds.Count != blockNames.Count)
            throw new InvalidDataException($"Expected {blockNames.Count} residual blocks in {onnxPath}, found {adds.Count}.");
        for (int b = 0; b < adds.Count; b++)
        {
            string name = blockNames[b];
            foreach (var input in adds[b].Input)
            {
                if (!producer.TryGetValue(input, out var bn) || bn.OpType != "BatchNormalization") continue; // identity shortcut
                var conv = Producer(bn.Input[0]);
                if (Kernel(conv) == 1)
                {
                    Conv(conv, name + ".downsample.0");
                    Bn(bn, name + ".downsample.1");
                    continue;
                }
                Conv(conv, name + ".conv2");
                Bn(bn, name + ".bn2");
                var relu = Producer(conv.Input[0]);
                var bn1 = Producer(relu.Input[0]);
                Bn(bn1, name + ".bn1");
                Conv(Producer(bn1.Input[0]), name + ".conv1");
            }
        }
        return result;
    }

    private static (float[] Data, long[] Shape) Read(TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float)
            throw new InvalidDataException($"Initializer {t.Name} has data type {t.DataType}; only float is supported.");
        var data = t.RawData.Length > 0 ? MemoryMarshal.Cast<byte, float>(t.RawData.Span).ToArray() : t.FloatData.ToArray();
        return (data, t.Dims.ToArray());
    }
}
