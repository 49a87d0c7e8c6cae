using System.Diagnostics;
using System.Text.Json;

namespace MlNetVision.Benchmarks.Peer;

/// <summary>The PyTorch reference (<c>benchmarks/peer/peer.py</c>), run as a subprocess; its result is the JSON after <c>RESULT </c>.</summary>
internal static class PyTorchPeer
{
    /// <summary>Debian's interpreter, which sees python3-torch; override with MLNETVISION_PYTHON.</summary>
    public static string Python =>
        Environment.GetEnvironmentVariable("MLNETVISION_PYTHON") is { Length: > 0 } p ? p
        : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    public static string Script => Path.Combine(AppContext.BaseDirectory, "peer", "peer.py");

    /// <summary>Runs <c>peer.py command args...</c> and returns its result, or throws with its error output.</summary>
    public static PeerResult Run(string command, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Script);
        psi.ArgumentList.Add(command);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {Python}.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The PyTorch peer did not finish: {string.Join(' ', psi.ArgumentList)}");
        }
        var line = stdout.Result.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (process.ExitCode != 0 || line is null)
            throw new InvalidOperationException(
                $"The PyTorch peer failed (exit {process.ExitCode}). Is it installed (bash benchmarks/setup.sh)?\n{stderr.Result.Trim()}");
        return new PeerResult(JsonDocument.Parse(line["RESULT ".Length..]).RootElement.Clone());
    }

    /// <summary>True when the interpreter can import torch; the cases then skip the peer with a message instead of failing.</summary>
    public static bool IsAvailable(out string reason)
    {
        try
        {
            var psi = new ProcessStartInfo(Python, ["-c", "import torch, torchvision; print(torch.__version__)"])
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            reason = p.ExitCode == 0 ? output : $"{Python} cannot import torch: run bash benchmarks/setup.sh";
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            reason = $"{Python} not found ({ex.Message}): run bash benchmarks/setup.sh";
            return false;
        }
    }
}

/// <summary>The peer's JSON result.</summary>
internal sealed class PeerResult(JsonElement root)
{
    public JsonElement Root { get; } = root;

    public double Get(string name) => Root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;

    public string GetString(string name) => Root.TryGetProperty(name, out var v) ? v.ToString() : "?";
}
