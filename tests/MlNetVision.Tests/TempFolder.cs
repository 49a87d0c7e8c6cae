namespace MlNetVision.Tests;

/// <summary>A new empty folder under the system temp folder, deleted with everything in it on dispose (<c>using var dir = new TempFolder("x")</c>).</summary>
internal sealed class TempFolder : IDisposable
{
    /// <summary>Creates <c>mlnv-{prefix}-{guid}</c> under the temp folder.</summary>
    public TempFolder(string prefix)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mlnv-{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>A path inside the folder.</summary>
    public string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <inheritdoc/>
    public override string ToString() => Path;

    /// <summary>Deletes the folder; a file still held open elsewhere leaves it behind rather than failing the test.</summary>
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public static implicit operator string(TempFolder folder) => folder.Path;
}
