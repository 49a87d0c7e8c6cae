using MlNetVision.Native;

namespace MlNetVision.Tests.Data;

/// <summary>Loads the native backend and deletes the temporary folders a test made.</summary>
public abstract class DataTestsBase : IDisposable
{
    private readonly List<string> _folders = [];

    /// <summary>Loads TorchSharp's backend.</summary>
    protected DataTestsBase() => NativeBackend.EnsureLoaded();

    /// <summary>Registers a folder for deletion and returns it.</summary>
    protected string Track(string folder)
    {
        _folders.Add(folder);
        return folder;
    }

    /// <summary>Options for small, quiet, deterministic test bunches.</summary>
    protected static MlNetVision.Data.ImageDataBunchOptions Small(int size = 32, int batchSize = 4, TextWriter? log = null) => new()
    {
        Size = size, BatchSize = batchSize, NumWorkers = 2, Log = log ?? TextWriter.Null,
    };

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var f in _folders)
            try { Directory.Delete(f, true); } catch (IOException) { } 
        GC.SuppressFinalize(this);
    }
}
