using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using static TorchSharp.torch;

namespace MlNetVision.Models;

/// <summary>
/// Reads the tensors of a PyTorch state dict saved with <c>torch.save</c> (the zip format PyTorch has written since 1.6,
/// e.g. torchvision's <c>resnet34-b627a593.pth</c>) without executing any pickled code: <c>data.pkl</c> is interpreted by a
/// small pickle machine that knows only the opcodes a state dict uses and accepts only an allow-list of globals
/// (<c>collections.OrderedDict</c>, <c>torch._utils._rebuild_tensor_v2</c>, <c>torch._utils._rebuild_parameter</c>,
/// <c>torch.*Storage</c>). Anything else — another global, an unknown opcode — is refused with a clear error.
/// </summary>
public static class PyTorchCheckpoint
{
    private static readonly HashSet<string> AllowedGlobals =
    [
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        "torch.FloatStorage", "torch.HalfStorage", "torch.DoubleStorage", "torch.BFloat16Storage", "torch.LongStorage",
        "torch.IntStorage", "torch.ByteStorage", "torch.BoolStorage",
    ];

    /// <summary>Reads every tensor of the state dict in <paramref name="path"/>, converted to float32.</summary>
    /// <exception cref="InvalidDataException">The file is not a zip-format PyTorch checkpoint, or its pickle needs something outside the allow-list.</exception>
    public static IReadOnlyList<SafeTensor> Read(string path)
    {
        using var zip = OpenZip(path);
        var pkl = zip.Entries.FirstOrDefault(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal))
            ?? throw new InvalidDataException($"{path} has no data.pkl: it is not a zip-format PyTorch checkpoint.");
        var prefix = pkl.FullName[..^"data.pkl".Length];
        byte[] pickle;
        using (var s = pkl.Open()) { using var ms = new MemoryStream(); s.CopyTo(ms); pickle = ms.ToArray(); }

        var root = new Unpickler(pickle, path).Load();
        var dict = root as PickleDict ?? throw new InvalidDataException($"{path}: the pickled object is not a state dict.");
        var result = new List<SafeTensor>();
        var storages = new Dictionary<string, byte[]>();
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name || value is not TensorRef t) continue;
            if (!storages.TryGetValue(t.Storage.Key, out var bytes))
            {
                var entry = zip.GetEntry($"{prefix}data/{t.Storage.Key}")
                    ?? throw new InvalidDataException($"{path}: storage {t.Storage.Key} of '{name}' is missing.");
                using var s = entry.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                storages[t.Storage.Key] = bytes = ms.ToArray();
            }
            result.Add(new SafeTensor(name, t.Size, Materialize(t, bytes)));
        }
        return result;
    }

    /// <summary>Loads a <c>.pth</c> state dict into <paramref name="module"/> by name with shape checks, like <see cref="StateDictLoader.LoadSafeTensors"/>.</summary>
    public static void LoadInto(nn.Module module, string path, bool strict = true) =>
        StateDictLoader.Load(module, Read(path).Select(t => (t.Name, t.Data, t.Shape)), Path.GetFileName(path), strict);

    private static ZipArchive OpenZip(string path)
    {
        try { return ZipFile.OpenRead(path); }
        catch (InvalidDataException)
        {
            throw new InvalidDataException($"{path} is not a zip-format PyTorch checkpoint (legacy pre-1.6 files are not supported: re-save with torch.save, or use safetensors).");
        }
    }

    private static float[] Materialize(TensorRef t, byte[] storage)
    {
        float[] values = t.Storage.Type switch
        {
            "FloatStorage" => MemoryMarshal.Cast<byte, float>(storage).ToArray(),
            "HalfStorage" => Array.ConvertAll(MemoryMarshal.Cast<byte, Half>(storage).ToArray(), h => (float)h),
            "BFloat16Storage" => Array.ConvertAll(MemoryMarshal.Cast<byte, ushort>(storage).ToArray(), b => BitConverter.Int32BitsToSingle(b << 16)),
            "DoubleStorage" => Array.ConvertAll(MemoryMarshal.Cast<byte, double>(storage).ToArray(), d => (float)d),
            "LongStorage" => Array.ConvertAll(MemoryMarshal.Cast<byte, long>(storage).ToArray(), l => (float)l),
            "IntStorage" => Array.ConvertAll(MemoryMarshal.Cast<byte, int>(storage).ToArray(), i => (float)i),
            "ByteStorage" or "BoolStorage" => Array.ConvertAll(storage, b => (float)b),
            _ => throw new InvalidDataException($"Unsupported storage type {t.Storage.Type}."),
        };
        using var scope = NewDisposeScope();
        var flat = tensor(values);
        return flat.as_strided(t.Size, t.Stride, t.Offset).contiguous().data<float>().ToArray();
    }

    private sealed record Global(string Name);
    private sealed record StorageRef(string Type, string Key);
    private sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);
    private sealed class PickleDict { public List<(object? Key, object? Value)> Items { get; } = []; }
    private sealed class Mark { public static readonly Mark Instance = new(); }

    /// <summary>A pickle machine for state dicts: no code runs, only allow-listed globals are recognised.</summary>
    private sealed class Unpickler(byte[] data, string path)
    {
        private readonly Stack<object?> _stack = new();
        private readonly Dictionary<long, object?> _memo = [];
        private int _pos;

        public object? Load()
        {
            while (true)
            {
                byte op = data[_pos++];
                switch (op)
                {
                    case 0x80: _pos++; break;                                   // PROTO
                    case 0x95: _pos += 8; break;                                // FRAME
                    case (byte)'.': return _stack.Pop();                        // STOP
                    case (byte)'(': _stack.Push(Mark.Instance); break;          // MARK
                    case (byte)'}': _stack.Push(new PickleDict()); break;       // EMPTY_DICT
                    case (byte)']': _stack.Push(new List<object?>()); break;    // EMPTY_LIST
                    case (byte)')': _stack.Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                    case (byte)'N': _stack.Push(null); break;
                    case 0x88: _stack.Push(true); break;
                    case 0x89: _stack.Push(false); break;
                    case (byte)'K': _stack.Push((long)data[_pos++]); break;
                    case (byte)'M': _stack.Push((long)BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(_pos))); _pos += 2; break;
                    case (byte)'J': _stack.Push((long)BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(_pos))); _pos += 4; break;
                    case 0x8a:                                                  // LONG1
                    {
                        int n = data[_pos++];
                        long v = 0;
                        for (int i = n - 1; i >= 0; i--) v = (v << 8) | data[_pos + i];
                        if (n > 0 && n < 8 && (data[_pos + n - 1] & 0x80) != 0) v -= 1L << (8 * n);
                        _pos += n;
                        _stack.Push(v);
                        break;
                    }
                    case (byte)'G': _stack.Push(BinaryPrimitives.ReadDoubleBigEndian(data.AsSpan(_pos))); _pos += 8; break;
                    case (byte)'X': { int n = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(_pos)); _pos += 4; _stack.Push(Encoding.UTF8.GetString(data, _pos, n)); _pos += n; break; }
                    case 0x8c: { int n = data[_pos++]; _stack.Push(Encoding.UTF8.GetString(data, _pos, n)); _pos += n; break; }
                    case (byte)'c':                                             // GLOBAL module\nname\n
                    {
                        string module = ReadLine(), name = ReadLine();
                        var full = $"{module}.{name}";
                        if (!AllowedGlobals.Contains(full))
                            throw new InvalidDataException($"{path}: refusing to load '{full}': only plain state dicts of tensors are read (nothing pickled is executed).");
                        _stack.Push(new Global(full));
                        break;
                    }
                    case (byte)'q': _memo[data[_pos++]] = _stack.Peek(); break; // BINPUT
                    case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(_pos))] = _stack.Peek(); _pos += 4; break;
                    case 0x94: _memo[_memo.Count] = _stack.Peek(); break;       // MEMOIZE
                    case (byte)'h': _stack.Push(_memo[data[_pos++]]); break;    // BINGET
                    case (byte)'j': _stack.Push(_memo[BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(_pos))]); _pos += 4; break;
                    case (byte)'t': _stack.Push(PopToMark().ToArray()); break;  // TUPLE
                    case 0x85: _stack.Push(new[] { _stack.Pop() }); break;
                    case 0x86: { var b = _stack.Pop(); var a = _stack.Pop(); _stack.Push(new[] { a, b }); break; }
                    case 0x87: { var c = _stack.Pop(); var b = _stack.Pop(); var a = _stack.Pop(); _stack.Push(new[] { a, b, c }); break; }
                    case (byte)'a': { var v = _stack.Pop(); ((List<object?>)_stack.Peek()!).Add(v); break; }
                    case (byte)'e': { var items = PopToMark(); ((List<object?>)_stack.Peek()!).AddRange(items); break; }
                    case (byte)'s': { var v = _stack.Pop(); var k = _stack.Pop(); ((PickleDict)_stack.Peek()!).Items.Add((k, v)); break; }
                    case (byte)'u':
                    {
                        var items = PopToMark();
                        var dict = (PickleDict)_stack.Peek()!;
                        for (int i = 0; i + 1 < items.Count; i += 2) dict.Items.Add((items[i], items[i + 1]));
                        break;
                    }
                    case (byte)'b': _stack.Pop(); break;                        // BUILD: state (e.g. _metadata) is not needed
                    case (byte)'Q':                                             // BINPERSID
                    {
                        var pid = (object?[])_stack.Pop()!;
                        if (pid.Length < 3 || pid[0] as string != "storage" || pid[1] is not Global g)
                            throw new InvalidDataException($"{path}: unexpected persistent id.");
                        _stack.Push(new StorageRef(g.Name["torch.".Length..], Convert.ToString(pid[2])!));
                        break;
                    }
                    case (byte)'R':                                             // REDUCE
                    {
                        var args = (object?[])_stack.Pop()!;
                        var func = _stack.Pop() as Global ?? throw new InvalidDataException($"{path}: REDUCE on something that is not an allowed global.");
                        _stack.Push(Reduce(func.Name, args));
                        break;
                    }
                    default:
                        throw new InvalidDataException($"{path}: pickle opcode 0x{op:x2} at byte {_pos - 1} is not part of a plain state dict; refusing to interpret it.");
                }
            }
        }

        private object? Reduce(string func, object?[] args) => func switch
        {
            "collections.OrderedDict" => new PickleDict(),
            "torch._utils._rebuild_tensor_v2" => new TensorRef(
                (StorageRef)args[0]!, (long)args[1]!, ((object?[])args[2]!).Select(o => (long)o!).ToArray(), ((object?[])args[3]!).Select(o => (long)o!).ToArray()),
            "torch._utils._rebuild_parameter" => args[0],
            _ => throw new InvalidDataException($"{path}: '{func}' cannot be called."),
        };

        private List<object?> PopToMark()
        {
            var items = new List<object?>();
            while (_stack.Peek() is not Mark) items.Add(_stack.Pop());
            _stack.Pop();
            items.Reverse();
            return items;
        }

        private string ReadLine()
        {
            int end = Array.IndexOf(data, (byte)'\n', _pos);
            var s = Encoding.ASCII.GetString(data, _pos, end - _pos);
            _pos = end + 1;
            return s;
        }
    }
}
