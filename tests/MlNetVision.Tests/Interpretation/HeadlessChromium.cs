using System.Diagnostics;

namespace MlNetVision.Tests.Interpretation;

/// <summary>Runs Debian's <c>chromium</c> headless on a local file: dump the DOM after load, or take a screenshot.</summary>
internal static class HeadlessChromium
{
    public const string DebianPackage = "chromium";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>The browser executable, or a failed assertion that names the package to install.</summary>
    public static string Executable()
    {
        foreach (var name in new[] { "chromium", "chromium-browser" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        Assert.Fail($"Headless Chromium is required to test the HTML report but no 'chromium' is on PATH. " +
                    $"Install the Debian package '{DebianPackage}' (apt-get install --no-install-recommends {DebianPackage}).");
        return "";
    }

    /// <summary>Loads <paramref name="htmlPath"/> and returns the serialised DOM after the load event.</summary>
    public static string DumpDom(string htmlPath) => Run(htmlPath, ["--dump-dom"]).StandardOutput;

    /// <summary>Loads <paramref name="htmlPath"/> in a window of the given size and writes a PNG screenshot.</summary>
    public static void Screenshot(string htmlPath, string pngPath, int width, int height) =>
        Run(htmlPath, ["--hide-scrollbars", $"--window-size={width},{height}", $"--screenshot={pngPath}"]);

    private static (string StandardOutput, string StandardError) Run(string htmlPath, string[] extra)
    {
        var profile = Path.Combine(Path.GetTempPath(), "mlnv-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        try
        {
            var start = new ProcessStartInfo(Executable())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[]
                     {
                         "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         $"--user-data-dir={profile}",
                     }.Concat(extra))
                start.ArgumentList.Add(arg);
            start.ArgumentList.Add(new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri);

            using var process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"chromium did not finish within {Timeout.TotalSeconds} s on {htmlPath}.");
            }
            if (!Task.WaitAll([stdout, stderr], Timeout))
                Assert.Fail($"chromium's output did not close within {Timeout.TotalSeconds} s on {htmlPath}.");
            var result = (stdout.Result, stderr.Result);
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}: {result.Item2}");
            return result;
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
