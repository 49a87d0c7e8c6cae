using static TorchSharp.torch;

namespace MlNetVision.Models;

/// <summary>
/// Copies named tensors into a module's parameters and buffers by state-dict name, checking every shape. Used for
/// ML.NET's ONNX ResNet18 and for torchvision-style safetensors files (<see cref="SafeTensors"/>).
/// </summary>
public static class StateDictLoader
{
    /// <summary>
    /// Loads a torchvision-style state dict from a <c>.safetensors</c> file into <paramref name="module"/> (for example
    /// <c>VisionModel.Body</c> of ResNet34/50, whose names are torchvision's). Keys absent from the module (such as
    /// <c>fc.*</c>, <c>num_batches_tracked</c>) are ignored; with <paramref name="strict"/>, a module tensor missing
    /// from the file is an error.
    /// </summary>
    /// <exception cref="InvalidDataException">A tensor's shape differs (the message names the tensor, the expected and the found shape), or a tensor is missing under <paramref name="strict"/>.</exception>
    public static void LoadSafeTensors(nn.Module module, string path, bool strict = true) =>
        Load(module, SafeTensors.Read(path).Select(t => (t.Name, t.Data, t.Shape)), Path.GetFileName(path), strict);

    /// <summary>Copies <paramref name="tensors"/> into <paramref name="module"/> by name; see <see cref="LoadSafeTensors"/>.</summary>
    public static void Load(nn.Module module, IEnumerable<(string Name, float[] Data, long[] Shape)> tensors, string source, bool strict)
    {
        ArgumentNullException.ThrowIfNull(module);
        var targets = module.state_dict();
        var seen = new HashSet<string>();
        using var noGrad = no_grad();
        foreach (var (name, data, shape) in tensors)
        {
            if (!targets.TryGetValue(name, out var target)) continue;
            if (!target.shape.SequenceEqual(shape))
                throw new InvalidDataException(
                    $"{source}: tensor '{name}' has shape [{string.Join(", ", shape)}] but the model expects [{string.Join(", ", target.shape)}]. Is the file for another architecture?");
            using var src = tensor(data, shape);
            target.copy_(src);
            seen.Add(name);
        }
        if (strict)
        {
            var missing = targets.Keys.Where(k => !seen.Contains(k) && !k.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToList();
            if (missing.Count > 0)
                throw new InvalidDataException($"{source}: {missing.Count} tensor(s) of the model are missing from the file, first: {string.Join(", ", missing.Take(5))}.");
        }
    }
}
