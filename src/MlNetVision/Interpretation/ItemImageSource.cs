using SkiaSharp;

namespace MlNetVision.Interpretation;

/// <summary>
/// Where the picture of each interpreted item comes from: image files, encoded image bytes, or a delegate.
/// Renderers ask for an image only when they draw it, so a set of thousands of items costs nothing until plotted.
/// </summary>
public sealed class ItemImageSource
{
    private readonly Func<int, SKBitmap> _load;
    private readonly Func<int, string?> _describe;

    private ItemImageSource(int count, Func<int, SKBitmap> load, Func<int, string?> describe)
    {
        Count = count;
        _load = load;
        _describe = describe;
    }

    /// <summary>How many items the source can load.</summary>
    public int Count { get; }

    /// <summary>Items are image files (any format SkiaSharp decodes: PNG, JPEG, BMP, GIF, WebP).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="paths"/> is null.</exception>
    public static ItemImageSource FromPaths(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var copy = paths.ToArray();
        return new ItemImageSource(copy.Length, i => Decode(copy[i], () => SKBitmap.Decode(copy[i])), i => copy[i]);
    }

    /// <summary>Items are encoded images held in memory (for example ML.NET's <c>LoadRawImageBytes</c> column).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="encoded"/> is null.</exception>
    public static ItemImageSource FromEncodedBytes(IReadOnlyList<byte[]> encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var copy = encoded.ToArray();
        return new ItemImageSource(copy.Length, i => Decode($"item {i}", () => SKBitmap.Decode(copy[i])), _ => null);
    }

    /// <summary>Items are produced by <paramref name="load"/>; the caller of <see cref="Load"/> owns (disposes) the bitmap.</summary>
    /// <param name="count">How many items there are.</param>
    /// <param name="load">Returns a new bitmap for item <c>i</c>.</param>
    /// <param name="describe">Optional: a short description of item <c>i</c> (its path), shown in reports.</param>
    /// <exception cref="ArgumentNullException"><paramref name="load"/> is null.</exception>
    public static ItemImageSource FromDelegate(int count, Func<int, SKBitmap> load, Func<int, string?>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new ItemImageSource(count, load, describe ?? (_ => null));
    }

    /// <summary>Loads item <paramref name="index"/> as a new bitmap, which the caller disposes.</summary>
    /// <exception cref="InvalidDataException">The item's image cannot be decoded.</exception>
    public SKBitmap Load(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _load(index) ?? throw new InvalidDataException($"Item {index} produced no image.");
    }

    /// <summary>A short description of item <paramref name="index"/> (its file path), or null when there is none.</summary>
    public string? Describe(int index) => _describe(index);

    private static SKBitmap Decode(string what, Func<SKBitmap?> decode) =>
        decode() ?? throw new InvalidDataException($"Could not decode the image of {what}.");
}
