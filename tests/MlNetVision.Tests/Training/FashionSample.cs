using MlNetVision.Data;
using MlNetVision.Native;

namespace MlNetVision.Tests.Training;

/// <summary>
/// Copies of the committed Fashion-MNIST sample (samples/data/fashion-mnist-sample: 100 train + 30 valid PNGs per class)
/// in temporary folders, so checkpoints written under <c>path/models</c> never land in the repository.
/// </summary>
internal sealed class FashionSample : IDisposable
{
    private readonly List<string> _folders = [];

    public FashionSample() => NativeBackend.EnsureLoaded();

    public static string SourceRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MlNetVision.sln"))) dir = dir.Parent;
        var root = dir?.FullName ?? throw new DirectoryNotFoundException("MlNetVision.sln not found above the test folder.");
        return Path.Combine(root, "samples", "data", "fashion-mnist-sample");
    }

    /// <summary>A folder with the first <paramref name="trainPerClass"/> training and <paramref name="validPerClass"/> validation images of each class (or only some classes).</summary>
    public string Subset(int trainPerClass, int validPerClass, IReadOnlyList<string>? classes = null)
    {
        var target = Path.Combine(Path.GetTempPath(), "mlnv-learner-" + Guid.NewGuid().ToString("N")[..8]);
        _folders.Add(target);
        foreach (var (split, count) in new[] { ("train", trainPerClass), ("valid", validPerClass) })
        {
            foreach (var classDir in Directory.GetDirectories(Path.Combine(SourceRoot(), split)).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(classDir);
                if (classes is not null && !classes.Contains(name)) continue;
                var dest = Directory.CreateDirectory(Path.Combine(target, split, name)).FullName;
                foreach (var file in Directory.GetFiles(classDir).Order(StringComparer.Ordinal).Take(count))
                    File.Copy(file, Path.Combine(dest, Path.GetFileName(file)));
            }
        }
        return target;
    }

    public static ImageDataBunch Bunch(string path, int size, int batchSize, int seed = 42) =>
        ImageDataBunch.FromFolder(path, new ImageDataBunchOptions { Size = size, BatchSize = batchSize, Seed = seed, NumWorkers = 2, Log = TextWriter.Null });

    public void Dispose()
    {
        foreach (var f in _folders)
            try { Directory.Delete(f, true); } catch (IOException) { }
    }
}
