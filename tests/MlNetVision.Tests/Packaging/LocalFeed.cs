using System.IO.Compression;
using System.Reflection;
using System.Xml.Linq;
using MlNetVision.Training;

namespace MlNetVision.Tests.Packaging;

/// <summary>
/// A temporary folder with a local NuGet folder feed (packages packed from this build), a <c>nuget.config</c> that
/// lists that feed next to the sources the machine already uses, and the environment that makes every <c>dotnet</c>
/// command below it use them. Restores take packages that the machine has already downloaded from its own NuGet cache
/// (a fallback folder, nothing copied); only the packed packages are extracted, into the temporary folder.
/// </summary>
internal sealed class LocalFeed : IDisposable
{
    /// <summary>The temporary root (feed, packages folder and the test's projects live below it).</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("mlnv-feed-").FullName;

    /// <summary>The folder feed the packages are packed into.</summary>
    public string Feed => Path.Combine(Root, "feed");

    /// <summary>
    /// The version the packages are packed with: this build's version with a unique pre-release suffix, so that no
    /// package of the same id and version can already sit in a NuGet cache from an earlier run.
    /// </summary>
    public string Version { get; } = $"{BuildVersion}-local.{DateTime.UtcNow:yyyyMMddHHmmssfff}";

    /// <summary>This build's version (<c>Version</c> in Directory.Build.props), without the commit suffix.</summary>
    public static string BuildVersion => InformationalVersion.Split('+')[0];

    /// <summary>The library assembly's informational version (version and commit), what <c>--version</c> prints.</summary>
    public static string InformationalVersion => typeof(Learner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    /// <summary>Variables for every <c>dotnet</c> command run against the feed.</summary>
    public IDictionary<string, string?> Environment { get; } = new Dictionary<string, string?>
    {
        ["DOTNET_NOLOGO"] = "1",
        ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
        ["MSBUILDDISABLENODEREUSE"] = "1",
        ["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0",
        // It would override the packages folder of the nuget.config below.
        ["NUGET_PACKAGES"] = null,
        ["CI"] = "true",
    };

    public LocalFeed()
    {
        Directory.CreateDirectory(Feed);
        // The machine's own packages folder, as NuGet reports it ("global-packages: /root/.nuget/packages/").
        var cache = TestProcess.RunOk("dotnet", ["nuget", "locals", "global-packages", "--list"], Root)
            .Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("global-packages:", StringComparison.Ordinal))["global-packages:".Length..].Trim();
        // No <clear/>: the sources of the machine's own NuGet.Config (`dotnet nuget list source`) stay in force and
        // serve the dependencies that are not in the cache yet.
        new XDocument(new XElement("configuration",
            new XElement("config", new XElement("add", new XAttribute("key", "globalPackagesFolder"), new XAttribute("value", Path.Combine(Root, "packages")))),
            new XElement("packageSources", new XElement("add", new XAttribute("key", "mlnetvision-local-feed"), new XAttribute("value", Feed))),
            new XElement("fallbackPackageFolders", new XElement("add", new XAttribute("key", "machine-cache"), new XAttribute("value", cache)))))
            .Save(Path.Combine(Root, "nuget.config"));
    }

    /// <summary>Packs a project of this repository (already built in Release) into the feed and returns the <c>.nupkg</c> path.</summary>
    public string Pack(string projectRelativePath, string packageId)
    {
        var project = Path.Combine(Repository.Root, projectRelativePath);
        TestProcess.RunOk("dotnet", ["pack", project, "-c", "Release", "--no-build", "-nologo", "-v", "q", "-o", Feed,
            $"-p:PackageVersion={Version}", $"-p:PublishDir={Path.Combine(Root, "publish", packageId)}/"], Root, Environment);
        var nupkg = Path.Combine(Feed, $"{packageId}.{Version}.nupkg");
        Assert.True(File.Exists(nupkg), $"dotnet pack wrote no {nupkg}; the feed has: {string.Join(", ", Directory.GetFiles(Feed).Select(Path.GetFileName))}");
        return nupkg;
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="workingDirectory"/> with the feed's environment.</summary>
    public string Dotnet(string workingDirectory, params string[] arguments) => TestProcess.RunOk("dotnet", arguments, workingDirectory, Environment);

    /// <summary>The text of one entry of a package.</summary>
    public static string ReadEntry(string nupkg, string entryName)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var entry = zip.GetEntry(entryName) ?? throw new Xunit.Sdk.XunitException($"{Path.GetFileName(nupkg)} has no {entryName}; it has: {string.Join(", ", zip.Entries.Select(e => e.FullName))}");
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    /// <summary>The entry names of a package.</summary>
    public static List<string> Entries(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        return zip.Entries.Select(e => e.FullName).ToList();
    }

    /// <summary>Copies the committed Fashion-MNIST sample below <see cref="Root"/> (training writes <c>models/</c> into its data folder).</summary>
    public string CopySample()
    {
        var source = Path.Combine(Repository.Root, "samples", "data", "fashion-mnist-sample");
        var target = Path.Combine(Root, "fashion-mnist-sample");
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var dest = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }
        return target;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The repository this test build comes from.</summary>
internal static class Repository
{
    /// <summary>The first folder above the test binaries that holds MlNetVision.sln.</summary>
    public static string Root { get; } = MlNet.SampleData.RepositoryRoot();
}
