using System.Globalization;
using MlNetVision.Data;

namespace MlNetVision.Benchmarks.Measurement;

/// <summary>
/// Benchmark data written with the data side's <see cref="FashionMnist"/> reader from Debian's dataset-fashion-mnist:
/// folders of 28x28 grayscale PNG files (train/, valid/, optionally test/, one folder per class), written once under
/// the system's temporary folder and reused, so both sides decode the same files.
/// </summary>
internal static class FashionMnistSubset
{
    /// <summary>Returns a folder with <paramref name="trainPerClass"/> training, <paramref name="validPerClass"/> validation and <paramref name="testPerClass"/> test images per class.</summary>
    public static string Ensure(int trainPerClass, int validPerClass, int testPerClass = 0)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"fashion-mnist-{trainPerClass}-{validPerClass}-{testPerClass}");
        var dir = Path.Combine(Path.GetTempPath(), "mlnetvision-bench", name);
        var done = Path.Combine(dir, ".complete");
        if (File.Exists(done)) return dir;
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var written = FashionMnist.WriteFolder(dir, trainPerClass, validPerClass, testPerClass);
        File.WriteAllText(done, written.ToString(CultureInfo.InvariantCulture));
        return dir;
    }

    /// <summary>
    /// Returns a folder for choosing settings without the test file: train/ holds the first
    /// <paramref name="trainPerClass"/> images per class of Fashion-MNIST's training file (by file name), valid/ the
    /// next <paramref name="holdoutPerClass"/> of the same file. The files are symbolic links into the full folder.
    /// </summary>
    public static string EnsureHoldout(int trainPerClass, int holdoutPerClass)
    {
        if (trainPerClass + holdoutPerClass > 6000)
            throw new BenchmarkArgumentException($"--holdout: {trainPerClass} training + {holdoutPerClass} held-out images per class exceed the training file's 6,000.");
        var name = string.Create(CultureInfo.InvariantCulture, $"fashion-mnist-holdout-{trainPerClass}-{holdoutPerClass}");
        var dir = Path.Combine(Path.GetTempPath(), "mlnetvision-bench", name);
        var done = Path.Combine(dir, ".complete");
        if (File.Exists(done)) return dir;
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        var full = Path.Combine(Ensure(6000, 1000), "train"); // the full folder the other cases use
        int linked = 0;
        foreach (var classDir in Directory.GetDirectories(full).Order(StringComparer.Ordinal))
        {
            var files = Directory.GetFiles(classDir).Order(StringComparer.Ordinal).ToArray();
            var cls = Path.GetFileName(classDir);
            foreach (var (split, from, count) in new[] { ("train", 0, trainPerClass), ("valid", trainPerClass, holdoutPerClass) })
            {
                var target = Directory.CreateDirectory(Path.Combine(dir, split, cls)).FullName;
                foreach (var file in files.Skip(from).Take(count))
                {
                    File.CreateSymbolicLink(Path.Combine(target, Path.GetFileName(file)), file);
                    linked++;
                }
            }
        }
        File.WriteAllText(done, linked.ToString(CultureInfo.InvariantCulture));
        return dir;
    }
}
