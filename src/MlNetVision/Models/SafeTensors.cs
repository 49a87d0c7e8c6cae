using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using MlNetVision.IO;

namespace MlNetVision.Models;

/// <summary>
/// Reads and writes the safetensors format (an 8-byte header length, a JSON header of dtype/shape/offsets, then raw
/// little-endian data). Reading executes nothing, unlike pickled <c>.pth</c> files. F32, F16, BF16 and F64 tensors are
/// converted to float32.
/// </summary>
public static class SafeTensors
{
    /// <summary>Reads every tensor of the file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors or holds an unsupported dtype.</exception>
    public static IReadOnlyList<SafeTensor> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 8) throw new InvalidDataException($"{path} is too short to be a safetensors file.");
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        if (headerLength <= 0 || 8 + headerLength > bytes.Length) throw new InvalidDataException($"{path} has an invalid safetensors header length.");
        using var header = JsonDocument.Parse(bytes.AsMemory(8, (int)headerLength));
        var dataStart = 8 + (int)headerLength;
        var result = new List<SafeTensor>();
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__") continue;
            var dtype = entry.Value.GetProperty("dtype").GetString();
            var shape = entry.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            if (offsets[0] < 0 || offsets[1] < offsets[0] || dataStart + offsets[1] > bytes.Length)
                throw new InvalidDataException($"{path}: tensor '{entry.Name}' points outside the file.");
            var raw = bytes.AsSpan(dataStart + (int)offsets[0], (int)(offsets[1] - offsets[0]));
            result.Add(new SafeTensor(entry.Name, shape, Convert(raw, dtype, entry.Name, path)));
        }
        return result;
    }

    /// <summary>Writes float32 tensors as a safetensors file, atomically.</summary>
    public static void Write(string path, IEnumerable<SafeTensor> tensors)
    {
        var list = tensors.ToList();
        long offset = 0;
        var header = new Dictionary<string, object>();
        foreach (var t in list)
        {
            long size = t.Data.Length * 4L;
            header[t.Name] = new { dtype = "F32", shape = t.Shape, data_offsets = new[] { offset, offset + size } };
            offset += size;
        }
        var json = JsonSerializer.SerializeToUtf8Bytes(header);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(len, json.Length);
            stream.Write(len);
            stream.Write(json);
            foreach (var t in list) stream.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
        });
    }

    private static float[] Convert(ReadOnlySpan<byte> raw, string? dtype, string name, string path)
    {
        switch (dtype)
        {
            case "F32":
                return MemoryMarshal.Cast<byte, float>(raw).ToArray();
            case "F64":
                return MemoryMarshal.Cast<byte, double>(raw).ToArray().Select(d => (float)d).ToArray();
            case "F16":
                return MemoryMarshal.Cast<byte, Half>(raw).ToArray().Select(h => (float)h).ToArray();
            case "BF16":
                var bf = MemoryMarshal.Cast<byte, ushort>(raw);
                var result = new float[bf.Length];
                for (int i = 0; i < bf.Length; i++) result[i] = BitConverter.Int32BitsToSingle(bf[i] << 16);
                return result;
            case "I64" when name.EndsWith("num_batches_tracked", StringComparison.Ordinal):
                return MemoryMarshal.Cast<byte, long>(raw).ToArray().Select(v => (float)v).ToArray();
            default:
                throw new InvalidDataException($"{path}: tensor '{name}' has dtype {dtype}; supported: F32, F16, BF16, F64.");
        }
    }
}
