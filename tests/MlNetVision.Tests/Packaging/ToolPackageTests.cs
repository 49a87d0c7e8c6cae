using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace MlNetVision.Tests.Packaging;

/// <summary>
/// What <c>dotnet tool install MlNetVision.Cli</c> gives: packs the tool into a local feed, installs it from there
/// with <c>--tool-path</c>, and runs the installed command.
/// </summary>
public class ToolPackageTests(ITestOutputHelper log)
{
    /// <summary>The tool package's size before it was built for linux-x64 only (every runtime's native files): 401,354,058 bytes.</summary>
    private const long AllRuntimesPackageBytes = 401_354_058;

    /// <summary>The error rate of <c>train --size 48 --epochs 1 --unfreeze-epochs 0</c> on the shipped sample, measured.</summary>
    private const double MeasuredErrorRate = 0.456667;

    [Fact]
    public void Should_InstallAndTrain_When_TheToolComesFromALocalFeed()
    {
        using var feed = new LocalFeed();
        var nupkg = feed.Pack("src/MlNetVision.Cli/MlNetVision.Cli.csproj", "MlNetVision.Cli");

        // linux-x64 only, and at most half of what the package weighed with every runtime.
        var size = new FileInfo(nupkg).Length;
        Assert.True(size <= AllRuntimesPackageBytes / 2, $"the tool package has {size:N0} bytes, more than half of {AllRuntimesPackageBytes:N0}");
        var entries = LocalFeed.Entries(nupkg);
        Assert.Contains("tools/net10.0/linux-x64/libtorch_cpu.so", entries);
        Assert.Contains("tools/net10.0/linux-x64/libonnxruntime.so", entries);
        Assert.Contains("tools/net10.0/linux-x64/DnnImageModels/ResNet18Onnx/ResNet18.onnx", entries);
        Assert.DoesNotContain(entries, e => Regex.IsMatch(e, @"(^|/)runtimes/|\.dll\.dylib|\.dylib$|onnxruntime\.dll$|libtorch_python"));
        Assert.Contains("linux-x64", Regex.Match(LocalFeed.ReadEntry(nupkg, "MlNetVision.Cli.nuspec"), "<description>(.*)</description>").Groups[1].Value);

        var tools = Path.Combine(feed.Root, "tools");
        feed.Dotnet(feed.Root, "tool", "install", "MlNetVision.Cli", "--tool-path", tools, "--version", feed.Version, "--add-source", feed.Feed);
        var command = Path.Combine(tools, "mlnet-vision");

        var version = TestProcess.RunOk(command, ["--version"], feed.Root, feed.Environment);
        Assert.Equal(LocalFeed.InformationalVersion, version.Trim());

        // No data argument: the sample that ships inside the tool package (no clone of the repository above this folder).
        var model = Path.Combine(feed.Root, "model");
        var train = TestProcess.Run(command, ["train", "--size", "48", "--epochs", "1", "--unfreeze-epochs", "0", "--out", model, "--plain"],
            feed.Root, feed.Environment, TimeSpan.FromMinutes(5));
        Assert.True(train.ExitCode == 0, train.ToString());
        log.WriteLine(train.StdOut);
        var m = Regex.Match(train.StdOut, @"^error_rate: ([0-9.]+)\s*$", RegexOptions.Multiline);
        Assert.True(m.Success, train.ToString());
        // Seeded, and the same to the digit in three runs on 2 cores (2026-12-01, `dotnet test --filter
        // FullyQualifiedName~MlNetVision.Tests.Packaging --logger "console;verbosity=detailed"`): error_rate 0.456667, 137 of
        // the 300 validation images after the one head epoch. 15 images either way for another CPU's float rounding; chance is 0.9.
        var errorRate = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(errorRate, MeasuredErrorRate - 0.05, MeasuredErrorRate + 0.05);

        // The installed tool serves its model.zip (ML.NET over the ONNX file): on the same validation images it gets the
        // error rate that training printed from the checkpoint, give or take one image.
        var valid = Path.Combine(Repository.Root, "samples", "data", "fashion-mnist-sample", "valid");
        var predict = TestProcess.Run(command, ["predict", Path.Combine(model, "model.zip"), valid, "--json"], feed.Root, feed.Environment, TimeSpan.FromMinutes(2));
        Assert.True(predict.ExitCode == 0, predict.ToString());
        var predictions = JsonDocument.Parse(predict.StdOut).RootElement.EnumerateArray()
            .Select(p => (Label: p.GetProperty("image").GetString()!.Split('/')[0], Class: p.GetProperty("class").GetString()!)).ToList();
        Assert.Equal(Directory.GetFiles(valid, "*", SearchOption.AllDirectories).Length, predictions.Count);
        var served = predictions.Count(p => p.Label != p.Class) / (double)predictions.Count;
        Assert.InRange(served, errorRate - 1.0 / predictions.Count - 1e-9, errorRate + 1.0 / predictions.Count + 1e-9);
    }
}
