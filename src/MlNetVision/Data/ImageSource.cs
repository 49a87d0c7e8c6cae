namespace MlNetVision.Data;

/// <summary>Where an item's encoded bytes come from: a file, or bytes held in memory (an ML.NET column).</summary>
internal sealed class ImageSource
{
    private readonly byte[]? _bytes;

    private ImageSource(string name, byte[]? bytes)
    {
        Name = name;
        _bytes = bytes;
    }

    /// <summary>The file path, or a <c>dataview:row/N</c> name for in-memory bytes.</summary>
    public string Name { get; }

    public static ImageSource FromFile(string path) => new(path, null);

    public static ImageSource FromBytes(string name, byte[] bytes) => new(name, bytes);

    public Stream Open() => _bytes is null
        ? new FileStream(Name, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan)
        : new MemoryStream(_bytes, writable: false);
}
