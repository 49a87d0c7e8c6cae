using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MlNetVision.Tests.Cli;

/// <summary>What one run of the built <c>mlnet-vision</c> tool printed and returned.</summary>
public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>Runs the built tool (the test project builds it through a ProjectReference) as a separate process.</summary>
internal static class CliProcess
{
    /// <summary>The path of the built <c>mlnet-vision.dll</c>.</summary>
    public static string ToolDll { get; } = typeof(CliProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "MlNetVisionCliDll").Value!;

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    /// <summary>Starts the tool with <c>CI=true</c> (plain output) in <paramref name="workingDirectory"/>.</summary>
    public static Process Start(string workingDirectory, IEnumerable<string> args, IDictionary<string, string?>? environment = null)
    {
        Assert.True(File.Exists(ToolDll), $"The tool was not built at {ToolDll}");
        var info = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(ToolDll);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["CI"] = "true";
        info.Environment.Remove("MLNETVISION_DEBUG");
        if (environment is not null)
            foreach (var (k, v) in environment)
                if (v is null) info.Environment.Remove(k);
                else info.Environment[k] = v;
        return Process.Start(info)!;
    }

    /// <summary>Runs the tool to the end (or fails the test after <paramref name="timeout"/>).</summary>
    public static async Task<CliResult> RunAsync(string workingDirectory, TimeSpan timeout, params string[] args) =>
        await RunWithEnvironmentAsync(workingDirectory, timeout, null, args);

    /// <summary>Runs the tool to the end with extra environment variables (a <see langword="null"/> value removes one).</summary>
    public static async Task<CliResult> RunWithEnvironmentAsync(string workingDirectory, TimeSpan timeout, IDictionary<string, string?>? environment, params string[] args)
    {
        using var process = Start(workingDirectory, args, environment);
        return await WaitAsync(process, timeout, args);
    }

    /// <summary>Runs the tool in the temp folder with a one-minute limit (argument and file checks).</summary>
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(Path.GetTempPath(), TimeSpan.FromMinutes(1), args);

    /// <summary>Collects the output of a started process and waits for it to end.</summary>
    public static async Task<CliResult> WaitAsync(Process process, TimeSpan timeout, IEnumerable<string> args, Action<string>? onStdOutLine = null)
    {
        process.StandardInput.Close();
        var stdout = new System.Text.StringBuilder();
        var stderr = new System.Text.StringBuilder();
        var outDone = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (stdout) stdout.AppendLine(line);
                onStdOutLine?.Invoke(line);
            }
        });
        var errTask = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line) lock (stderr) stderr.AppendLine(line);
        });
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"mlnet-vision {string.Join(' ', args)} did not finish within {timeout}.\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
        }
        await Task.WhenAll(outDone, errTask);
        return new CliResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>
    /// Sends SIGINT (what Ctrl+C sends) to a process, or SIGTERM when this test process ignores SIGINT: a job that a
    /// non-interactive shell starts in the background (<c>.ci/run &amp;</c>) inherits SIGINT as ignored, so does the
    /// tool it starts, and the runtime then never reports the signal. The tool treats both signals alike.
    /// </summary>
    public static void SendInterrupt(Process process)
    {
        const int SIGINT = 2, SIGTERM = 15;
        Assert.Equal(0, Kill(process.Id, IgnoresSigInt() ? SIGTERM : SIGINT));
    }

    /// <summary>Whether this process ignores SIGINT (bit 2 of <c>SigIgn</c> in <c>/proc/self/status</c>).</summary>
    internal static bool IgnoresSigInt()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (2 - 1))) != 0;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
