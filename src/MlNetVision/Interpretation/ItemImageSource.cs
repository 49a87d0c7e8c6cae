namespace MlNetVision.Interpretation;

/// <summary>
/// Where the picture of each interpreted item comes from, as encoded image bytes (PNG, JPEG, BMP, GIF, WebP): image
/// files, bytes held in memory, or a delegate. Renderers ask for an image only when they draw it, so a set of
/// thousands of items costs nothing until plotted.
/// </summary>
public sealed class ItemImageSource
{
    private readonly Func<int, byte[]> _load;
    private readonly Func<int, string?> _path;

    private ItemImageSource(int count, Func<int, byte[]> load, Func<int, string?> path)
    {
        Count = count;
        _load = load;
        _path = path;
    }

    /// <summary>How many items the source can load.</summary>
    public int Count { get; }

    /// <summary>Items are image files.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="paths"/> is null.</exception>
    public static ItemImageSource FromPaths(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var copy = paths.ToArray();
        return new ItemImageSource(copy.Length, i => File.ReadAllBytes(copy[i]), i => copy[i]);
    }

    /// <summary>Items are encoded images held in memory (for example ML.NET's <c>LoadRawImageBytes</c> column).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="encoded"/> is null.</exception>
    public static ItemImageSource FromEncodedBytes(IReadOnlyList<byte[]> encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var copy = encoded.ToArray();
        return new ItemImageSource(copy.Length, i => copy[i], _ => null);
    }

    /// <summary>Items are produced by <paramref name="load"/>, which returns the encoded image of item <c>i</c>.</summary>
    /// <param name="count">How many items there are.</param>
    /// <param name="load">Returns the encoded image (PNG, JPEG, ...) of item <c>i</c>.</param>
    /// <param name="path">Optional: the file of item <c>i</c>, shown in reports; null when it has none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="load"/> is null.</exception>
    public static ItemImageSource FromDelegate(int count, Func<int, byte[]> load, Func<int, string?>? path = null)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new ItemImageSource(count, load, path ?? (_ => null));
    }

    /// <summary>The encoded image of item <paramref name="index"/>.</summary>
    /// <exception cref="InvalidDataException">The item has no image data.</exception>
    /// <exception cref="IOException">The item's file cannot be read.</exception>
    public byte[] Load(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        var bytes = _load(index);
        return bytes is { Length: > 0 } ? bytes : throw new InvalidDataException($"Item {index} produced no image data.");
    }

    /// <summary>The file of item <paramref name="index"/>, or null when it has none (bytes held in memory).</summary>
    public string? Path(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _path(index);
    }
}
