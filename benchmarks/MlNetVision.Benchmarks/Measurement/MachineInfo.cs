using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace MlNetVision.Benchmarks.Measurement;

/// <summary>What docs/BENCHMARKS.md records about the machine: cores, CPU, memory, OS, .NET, TorchSharp and libtorch.</summary>
internal static class MachineInfo
{
    public static string Describe()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"machine: {Environment.ProcessorCount} logical cores, {CpuModel()}, {MemoryGiB():0.0} GiB RAM");
        sb.AppendLine($"os: {OsName()} ({RuntimeInformation.OSArchitecture}), .NET {Environment.Version}");
        sb.AppendLine($"ours: TorchSharp {Version(typeof(TorchSharp.torch))}, libtorch {LibTorchVersion()}, {TorchSharp.torch.get_num_threads()} threads");
        sb.Append($"load average at start: {LoadAverage.Read()}");
        return sb.ToString();
    }

    private static string CpuModel() =>
        ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    private static double MemoryGiB()
    {
        var line = ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0 / 1024.0;
    }

    private static string OsName() =>
        ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=', 2)[1].Trim('"') ?? RuntimeInformation.OSDescription;

    private static string Version(Type t) =>
        t.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? t.Assembly.GetName().Version?.ToString() ?? "?";

    // The libtorch-cpu-linux-x64 package the benchmark project references; its native library carries no version call.
    private static string LibTorchVersion()
    {
        var dir = AppContext.BaseDirectory;
        var deps = Directory.GetFiles(dir, "*.deps.json").FirstOrDefault();
        if (deps is null) return "?";
        var text = File.ReadAllText(deps);
        const string key = "\"libtorch-cpu-linux-x64/";
        var i = text.IndexOf(key, StringComparison.Ordinal);
        return i < 0 ? "?" : text[(i + key.Length)..text.IndexOf('"', i + key.Length)];
    }

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadLines(path) : [];
}
