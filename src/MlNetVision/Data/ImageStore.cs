using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Data;

/// <summary>
/// The decoded images of one loader: uint8 [3,h,w] tensors at the target size kept in memory (the cache), or,
/// when the cache would not fit, the sources decoded again on each request.
/// </summary>
internal sealed class ImageStore(ImageSource[] sources, Tensor?[]? cache, int size, ResizeMethod method, long maxPixels, TextWriter log) : IDisposable
{
    public int Count => sources.Length;

    /// <summary>The side of the square images served.</summary>
    public int Size => size;

    /// <summary>How images are brought to <see cref="Size"/>.</summary>
    public ResizeMethod ResizeMethod => method;

    public bool IsCached => cache is not null;

    /// <summary>Where item <paramref name="index"/>'s encoded bytes come from.</summary>
    public ImageSource Source(int index) => sources[index];

    /// <summary>The decoded uint8 [3,h,w] image; the caller disposes the returned handle (the cache keeps its own).</summary>
    public Tensor Get(int index)
    {
        if (cache is not null) return cache[index]!.alias();
        try
        {
            return ImageLoader.Decode(sources[index], size, method, maxPixels);
        }
        catch (ImageDecodeException e)
        {
            // The file decoded when the bunch was built and fails now (changed on disk): serve grey rather than crash mid-epoch.
            lock (log) log.WriteLine($"MlNetVision.Data: {sources[index].Name} no longer decodes ({e.Message}); serving a grey image.");
            return full([3, size, size], (byte)128, ScalarType.Byte);
        }
    }

    public void Dispose()
    {
        if (cache is null) return;
        foreach (var t in cache) t?.Dispose();
    }
}
