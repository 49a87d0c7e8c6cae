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

    /// <summary>Whether the bytes are a file's (<see cref="Name"/> is its path) rather than held in memory.</summary>
    public bool IsFile => _bytes is null;

    /// <summary>The encoded bytes: the file's content, or the bytes held in memory.</summary>
    public byte[] ReadAllBytes() => _bytes ?? File.ReadAllBytes(Name);

    public Stream Open() => _bytes is null
        ? new FileStream(Name, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan)
        : new MemoryStream(_bytes, writable: false);
}
