using System.Globalization;
using System.Text.RegularExpressions;

namespace MlNetVision.Tests.Cli;

/// <summary>The Fashion-MNIST sample shipped next to the built tool, and small data sets cut from it.</summary>
internal static class CliSample
{
    /// <summary>The sample folder copied next to the tool (train/ and valid/ of 10 class folders).</summary>
    public static string Folder { get; } = Path.Combine(Path.GetDirectoryName(CliProcess.ToolDll)!, "sample-data", "fashion-mnist-sample");

    /// <summary>Copies the first <paramref name="perClass"/> images of each class of a split into <c>dest/class/</c>.</summary>
    public static void CopyClasses(string dest, string split, IEnumerable<string> classes, int perClass)
    {
        foreach (var c in classes)
        {
            var target = Directory.CreateDirectory(Path.Combine(dest, c)).FullName;
            foreach (var f in Directory.GetFiles(Path.Combine(Folder, split, c)).Order(StringComparer.Ordinal).Take(perClass))
                File.Copy(f, Path.Combine(target, Path.GetFileName(f)));
        }
    }

    /// <summary>The first number after <c>key: </c> in the output.</summary>
    public static double Fact(string stdout, string key)
    {
        var m = Regex.Match(stdout, $@"^{Regex.Escape(key)}: ([0-9.eE+-]+)", RegexOptions.Multiline);
        Assert.True(m.Success, $"no '{key}:' line in:\n{stdout}");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The rows of every plain epoch table in the output: (epoch, train_loss, valid_loss, error_rate).</summary>
    public static List<double[]> EpochRows(string stdout) =>
        Regex.Matches(stdout, @"^(\d+)\s+([0-9.]+|NaN)\s+([0-9.]+|NaN)\s+([0-9.]+)\s+\d\d:\d\d$", RegexOptions.Multiline)
            .Select(m => Enumerable.Range(1, 4).Select(i => double.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture)).ToArray())
            .ToList();
}
