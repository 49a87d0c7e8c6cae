using System.Text;
using System.Text.Json;
using MlNetVision.IO;
using MlNetVision.Models;
using MlNetVision.Native;
using TorchSharp;

namespace MlNetVision.Training;

/// <summary>
/// The <c>.ckpt</c> file format: the 8 bytes <c>MLNVCKPT</c>, an int32 format version, an int32 length and a UTF-8 JSON
/// <see cref="CheckpointInfo"/> header, then the model's state dict in TorchSharp's <c>Module.save</c> format.
/// Files are written atomically (temporary file in the same folder, then rename).
/// </summary>
public static class Checkpoint
{
    /// <summary>The file extension (fastai v1 uses <c>.pth</c>; the content here is not a PyTorch pickle).</summary>
    public const string Extension = ".ckpt";

    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "MLNVCKPT"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Writes <paramref name="model"/> and <paramref name="info"/> to <paramref name="path"/> atomically.</summary>
    /// <returns>The full path written.</returns>
    public static string Write(string path, VisionModel model, CheckpointInfo info) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            var header = JsonSerializer.SerializeToUtf8Bytes(info, Json);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(header.Length);
            writer.Write(header);
            model.save(writer);
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
        if (version != FormatVersion) throw new InvalidDataException($"'{path}' has checkpoint format {version}; this library reads format {FormatVersion}.");
        var length = reader.ReadInt32();
        if (length <= 0 || length > 64 << 20) throw new InvalidDataException($"'{path}' has a corrupt header.");
        return JsonSerializer.Deserialize<CheckpointInfo>(reader.ReadBytes(length), Json)
            ?? throw new InvalidDataException($"'{path}' has an empty header.");
    }
}
