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
}
