using System.Diagnostics;

namespace MlNetVision.Tests;

/// <summary>What one run of an external command printed and returned.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string StdOut, string StdErr)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Command} exited with {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
}

/// <summary>Runs external commands (<c>dotnet build</c>, a built app, an installed tool) from tests.</summary>
internal static class TestProcess
{
    /// <summary>
    /// Runs <paramref name="fileName"/> to the end in <paramref name="workingDirectory"/> (killing it and failing the
    /// test after <paramref name="timeout"/>, five minutes by default); <paramref name="environment"/> adds variables,
    /// and a <see langword="null"/> value removes one.
    /// </summary>
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (k, v) in environment)
                if (v is null) info.Environment.Remove(k);
                else info.Environment[k] = v;
        var command = $"{fileName} {string.Join(' ', info.ArgumentList)}";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{command} timed out");
        }
        return new ProcessResult(command, process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Like <see cref="Run"/>, and fails the test with the command's output unless it exits with 0.</summary>
    public static string RunOk(string fileName, IEnumerable<string> arguments, string workingDirectory,
        IDictionary<string, string?>? environment = null, TimeSpan? timeout = null)
    {
        var result = Run(fileName, arguments, workingDirectory, environment, timeout);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.StdOut;
    }
}
