using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Data;

/// <summary>
/// The decoded images of one loader: uint8 [3,h,w] tensors at the target size kept in memory (the cache), or,
/// when the cache would not fit, the sources decoded again on each request.
/// </summary>
internal sealed class ImageStore : IDisposable
{
    private readonly Tensor?[]? _cache;
    private readonly ImageSource[] _sources;
    private readonly int _size;
    private readonly ResizeMethod _method;
    private readonly long _maxPixels;
    private readonly TextWriter _log;

    public ImageStore(ImageSource[] sources, Tensor?[]? cache, int size, ResizeMethod method, long maxPixels, TextWriter log)
    {
        _sources = sources;
        _cache = cache;
        _size = size;
        _method = method;
        _maxPixels = maxPixels;
        _log = log;
    }

    public int Count => _sources.Length;

    public bool IsCached => _cache is not null;

    /// <summary>Where item <paramref name="index"/>'s encoded bytes come from.</summary>
    public ImageSource Source(int index) => _sources[index];

    /// <summary>The decoded uint8 [3,h,w] image; the caller disposes the returned handle (the cache keeps its own).</summary>
    public Tensor Get(int index)
    {
        if (_cache is not null) return _cache[index]!.alias();
        try
        {
            return ImageLoader.Decode(_sources[index], _size, _method, _maxPixels);
        }
        catch (ImageDecodeException e)
        {
            // The file decoded when the bunch was built and fails now (changed on disk): serve grey rather than crash mid-epoch.
            lock (_log) _log.WriteLine($"MlNetVision.Data: {_sources[index].Name} no longer decodes ({e.Message}); serving a grey image.");
            return full([3, _size, _size], (byte)128, ScalarType.Byte);
        }
    }

    public void Dispose()
    {
        if (_cache is null) return;
        foreach (var t in _cache) t?.Dispose();
    }
}
