using System.Security.Cryptography;

namespace MlNetVision.Models;

/// <summary>
/// Loads a user's torchvision ResNet weights into a <see cref="ResNetBody"/>: the <c>.pth</c> files torchvision
/// publishes (zip-format <c>torch.save</c>, read by <see cref="PyTorchCheckpoint"/> without running pickled code) or
/// the same state dict as <c>.safetensors</c> (<see cref="SafeTensors"/>). The format is told from the file's first
/// bytes, not its name. Every body tensor must be in the file with its shape; the file may also hold torchvision's
/// classifier (<c>fc.*</c>), which fastai's head replaces. Nothing is ever downloaded.
/// </summary>
public static class TorchvisionWeights
{
    /// <summary>Loads the state dict at <paramref name="path"/> into <paramref name="body"/>, checking every name and shape.</summary>
    /// <returns>Where the weights came from, for checkpoints: the full path, the format and the file's SHA-256 (first 16 hex digits).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist; the message says where torchvision publishes the architecture's weights.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a state dict, or it is for another architecture: a tensor's shape differs (the message names the
    /// tensor, the expected and the found shape), a body tensor is missing, or the file has tensors the body lacks
    /// (a deeper ResNet's extra blocks). The body may then hold some of the file's tensors: discard it.
    /// </exception>
    public static string LoadInto(ResNetBody body, string path)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException(MissingFileMessage(body.Architecture, full), full);

        bool zip = IsZip(full);
        var tensors = zip ? PyTorchCheckpoint.Read(full) : SafeTensors.Read(full);
        var name = Path.GetFileName(full);
        // Shapes and missing tensors first (the most telling message), then tensors a shallower body has no place for.
        StateDictLoader.Load(body, tensors.Select(t => (t.Name, t.Data, t.Shape)), name, strict: true);
        var bodyNames = body.state_dict().Keys.ToHashSet(StringComparer.Ordinal);
        var extra = tensors.Select(t => t.Name)
            .Where(n => !bodyNames.Contains(n) && !n.StartsWith("fc.", StringComparison.Ordinal) && !n.EndsWith("num_batches_tracked", StringComparison.Ordinal))
            .ToList();
        if (extra.Count > 0)
            throw new InvalidDataException(
                $"{name}: {extra.Count} tensor(s) have no place in a {body.Architecture.Name} body, first: {string.Join(", ", extra.Take(3))}. " +
                "Is the file for another (deeper) architecture?");
        return $"{full} ({(zip ? "PyTorch .pth" : "safetensors")}, sha256 {Sha256Prefix(full)})";
    }

    /// <summary>The message for a weights file that does not exist: where torchvision publishes the architecture's weights, and that nothing is downloaded.</summary>
    public static string MissingFileMessage(ResNetArchitecture architecture, string path)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var where = architecture.TorchvisionWeightsUrl is { } url
            ? $" torchvision publishes ImageNet weights for {architecture.Name} at {url}; download that file yourself and pass its path."
            : "";
        return $"The weights file '{path}' does not exist.{where} MlNetVision never downloads weights.";
    }

    private static bool IsZip(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) == 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K' && magic[2] == 3 && magic[3] == 4;
    }

    private static string Sha256Prefix(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream))[..16].ToLowerInvariant();
    }
}
