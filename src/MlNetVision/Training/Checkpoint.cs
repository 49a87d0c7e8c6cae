using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MlNetVision.IO;
using MlNetVision.Models;
using MlNetVision.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Training;

/// <summary>
/// The <c>.ckpt</c> file format: the 8 bytes <c>MLNVCKPT</c>, an int32 format version, an int32 length and a UTF-8 JSON
/// <see cref="CheckpointInfo"/> header, then the model's state dict in TorchSharp's <c>Module.save</c> format. Format 2
/// adds, when the header's <see cref="CheckpointInfo.Training"/> is set, the training state after the weights: the
/// optimiser's per-parameter states (int32 group, int32 index, int64 step count, then both moving averages as raw
/// little-endian tensor bytes of the parameter's shape and type) and the torch generator's state bytes. Format-1 files
/// (weights only) still load. Files are written atomically (temporary file in the same folder, then rename).
/// </summary>
public static class Checkpoint
{
    /// <summary>The file extension (fastai v1 uses <c>.pth</c>; the content here is not a PyTorch pickle).</summary>
    public const string Extension = ".ckpt";

    /// <summary>The format version this library writes (2: optional training state); it reads 1 and 2.</summary>
    public const int FormatVersion = 2;

    private const int WeightsOnlyFormatVersion = 1;
    private static readonly byte[] Magic = "MLNVCKPT"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Writes <paramref name="model"/> and <paramref name="info"/> to <paramref name="path"/> atomically.</summary>
    /// <returns>The full path written.</returns>
    public static string Write(string path, VisionModel model, CheckpointInfo info) => Write(path, model, info, null);

    /// <summary>Writes the header and the weights, then lets <paramref name="writeTrainingState"/> append the training state.</summary>
    internal static string Write(string path, VisionModel model, CheckpointInfo info, Action<BinaryWriter>? writeTrainingState) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            var header = JsonSerializer.SerializeToUtf8Bytes(info, Json);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(header.Length);
            writer.Write(header);
            model.save(writer);
            writeTrainingState?.Invoke(writer);
            writer.Flush();
        });

    /// <summary>Reads only the header of the checkpoint at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this library.</exception>
    public static CheckpointInfo ReadInfo(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        return ReadHeader(reader, path);
    }

    /// <summary>
    /// Builds a model from the checkpoint at <paramref name="path"/> (no data bunch needed), in eval mode. The weights are
    /// read on the CPU, whatever device they were trained on, then the model moves to <paramref name="device"/>.
    /// </summary>
    /// <param name="path">The <c>.ckpt</c> file.</param>
    /// <param name="device"><c>cpu</c> (the default), <c>cuda</c>, <c>cuda:N</c> or <c>auto</c> (see <see cref="ComputeDevice"/>).</param>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this library.</exception>
    /// <exception cref="DeviceUnavailableException">A CUDA device was asked for and is not available.</exception>
    public static (VisionModel Model, CheckpointInfo Info) LoadModel(string path, string device = "cpu")
    {
        NativeBackend.EnsureLoaded();
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var info = ReadHeader(reader, path);
        var model = VisionModel.Create(Architectures.Get(info.Architecture), info.Classes.Length, pretrained: false, info.Head);
        model.load(reader);
        model.WeightsSource = info.Weights ?? model.WeightsSource;
        model.to(ComputeDevice.Resolve(device, out _));
        model.eval();
        return (model, info);
    }

    internal static CheckpointInfo ReadHeader(BinaryReader reader, string path)
    {
        var magic = reader.ReadBytes(Magic.Length);
        if (!magic.AsSpan().SequenceEqual(Magic)) throw new InvalidDataException($"'{path}' is not an MlNetVision checkpoint.");
        var version = reader.ReadInt32();
        if (version is not (WeightsOnlyFormatVersion or FormatVersion))
            throw new InvalidDataException($"'{path}' has checkpoint format {version}; this library reads formats {WeightsOnlyFormatVersion} and {FormatVersion}.");
        var length = reader.ReadInt32();
        if (length <= 0 || length > 64 << 20) throw new InvalidDataException($"'{path}' has a corrupt header.");
        var info = JsonSerializer.Deserialize<CheckpointInfo>(reader.ReadBytes(length), Json)
            ?? throw new InvalidDataException($"'{path}' has an empty header.");
        return version == WeightsOnlyFormatVersion ? info with { Training = null } : info;
    }

    /// <summary>Writes <paramref name="tensor"/>'s elements as raw bytes (CPU, contiguous), preceded by their int32 count of bytes.</summary>
    internal static void WriteTensorBytes(BinaryWriter writer, Tensor tensor)
    {
        using var cpu = tensor.detach().cpu().contiguous();
        var bytes = cpu.bytes;
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }

    /// <summary>Reads what <see cref="WriteTensorBytes"/> wrote into a new CPU tensor of <paramref name="shape"/> and <paramref name="type"/>.</summary>
    /// <exception cref="InvalidDataException">The byte count does not fit the shape and type.</exception>
    internal static Tensor ReadTensorBytes(BinaryReader reader, long[] shape, ScalarType type, string path)
    {
        var length = reader.ReadInt32();
        var tensor = torch.empty(shape, type);
        if (length != tensor.NumberOfElements * tensor.ElementSize)
        {
            tensor.Dispose();
            throw new InvalidDataException($"'{path}' has a corrupt training state: {length} bytes for a [{string.Join(", ", shape)}] {type} tensor.");
        }
        tensor.bytes = reader.ReadBytes(length);
        return tensor;
    }
}
