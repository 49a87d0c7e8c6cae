using MlNetVision.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Native;

public class NativeBackendTests
{
    private static string Shim =>
        NativeBackend.FindNativeFile("libLibTorchSharp.so", "torchsharp", null) ?? throw new InvalidOperationException("shim not found");

    [Fact]
    public void Should_FindAnUnusedAnchorVersion_When_ReadingTorchSharpsShim()
    {
        var info = ElfVersionInfo.Read(Shim);
        Assert.Equal("libLibTorchSharp.so", info.Soname);
        var anchor = Assert.Single(info.Needs, n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", anchor.Library);
        Assert.Empty(anchor.ReferencedSymbols);
        // A version that real calls depend on is reported with its symbols.
        Assert.NotEmpty(info.Needs.Single(n => n.Version == "GLIBCXX_3.4.30").ReferencedSymbols);
    }

    [Fact]
    public void Should_ChangeOnlyTheFlagBytes_When_MarkingANeedWeak()
    {
        var original = File.ReadAllBytes(Shim);
        var anchor = ElfVersionInfo.Parse(original).Needs.Single(n => n.Version == "GLIBCXX_3.4.32");
        var patched = ElfVersionInfo.MarkWeak(original, [anchor]);

        var differing = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        Assert.Equal([(int)anchor.FlagsOffset], differing);
        var reparsed = ElfVersionInfo.Parse(patched).Needs;
        Assert.True(reparsed.Single(n => n.Version == "GLIBCXX_3.4.32").IsWeak);
        Assert.All(reparsed.Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));
    }

    [Fact]
    public void Should_PlanNothing_When_TheSystemOffersEveryVersion()
    {
        var info = ElfVersionInfo.Read(Shim);
        var everything = info.Needs.Select(n => n.Version).ToHashSet();
        var plan = NativeCompatPlan.Create(info, "libstdc++.so.6", everything);
        Assert.Empty(plan.ToMarkWeak);
        Assert.Empty(plan.CannotHelp);
    }

    [Fact]
    public void Should_PlanToWeakenOnlyTheAnchor_When_TheSystemStopsAt3430()
    {
        var info = ElfVersionInfo.Read(Shim);
        var debian12 = info.Needs.Select(n => n.Version).Where(v => v != "GLIBCXX_3.4.32").ToHashSet();
        var plan = NativeCompatPlan.Create(info, "libstdc++.so.6", debian12);
        Assert.Equal(["GLIBCXX_3.4.32"], plan.ToMarkWeak.Select(n => n.Version));
        Assert.Empty(plan.CannotHelp);
    }

    [Fact]
    public void Should_ExplainWhatIsMissingAndHowToFixIt_When_ARealCallNeedsANewerLibStdCxx()
    {
        var info = ElfVersionInfo.Read(Shim);
        var old = info.Needs.Select(n => n.Version).Where(v => v is not "GLIBCXX_3.4.32" and not "GLIBCXX_3.4.30").ToHashSet();
        var plan = NativeCompatPlan.Create(info, "libstdc++.so.6", old);
        var failure = Assert.Single(plan.CannotHelp);
        Assert.Equal("GLIBCXX_3.4.30", failure.Version);

        var message = plan.DescribeFailure(Shim, "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", old);
        Assert.Contains("GLIBCXX_3.4.30", message);
        Assert.Contains("offers versions up to GLIBCXX_3.4.29", message);
        Assert.Contains("/usr/lib/x86_64-linux-gnu/libstdc++.so.6", message);
        Assert.Contains("Install a newer libstdc++6", message);
    }

    [Fact]
    public void Should_NameThePackageToReference_When_LibTorchIsMissing()
    {
        var message = NativeBackend.MissingBackendMessage();
        Assert.Contains("<PackageReference Include=\"libtorch-cpu-linux-x64\" Version=\"2.10.0\" />", message);
    }

    [Fact]
    public void Should_LoadTheBackendAndTrain_When_EnsureLoadedRuns()
    {
        var status = NativeBackend.EnsureLoaded();
        var system = ElfVersionInfo.Read(status.LibStdCxx!).Definitions;
        if (system.Contains("GLIBCXX_3.4.32"))
            Assert.Equal(NativeCompatAction.None, status.Action);
        else
        {
            Assert.Equal(NativeCompatAction.PatchedCopyLoaded, status.Action);
            Assert.Equal(["GLIBCXX_3.4.32"], status.WeakenedVersions);
            Assert.StartsWith(NativeBackend.CacheRoot(), status.LoadedShim);
        }

        using var scope = NewDisposeScope();
        manual_seed(1);
        var conv = nn.Conv2d(3, 4, 3);
        var x = randn(2, 3, 8, 8);
        var loss = conv.forward(x).pow(2).mean();
        loss.backward();
        Assert.True(conv.weight!.grad!.abs().sum().ToSingle() > 0);
        Assert.Same(status, NativeBackend.EnsureLoaded());
        Assert.False(NativeBackend.IsNnpackEnabled());
    }

    [Fact]
    public void Should_LimitOnlyTheCallingThread_When_SettingIntraOpThreadsForAThread()
    {
        NativeBackend.EnsureLoaded();
        var before = torch.get_num_threads();
        int onWorker = 0;
        bool applied = false;
        var worker = new Thread(() =>
        {
            applied = NativeBackend.TrySetIntraOpThreadsForThisThread(1);
            using var scope = NewDisposeScope();
            // An operator large enough to be parallelised still gives the right answer on the limited thread.
            Assert.Equal(4_000_000.0, ones(2000, 2000).sum().ToDouble());
            onWorker = torch.get_num_threads();
        });
        worker.Start();
        worker.Join();
        Assert.True(applied);
        Assert.Equal(1, onWorker);
        Assert.Equal(before, torch.get_num_threads());
    }

    [Fact]
    public async Task Should_BuildBatchesSingleThreaded_When_Prefetching()
    {
        NativeBackend.EnsureLoaded();
        var before = torch.get_num_threads();
        Assert.True(MlNetVision.Data.PrefetchWorker.IsSingleThreaded);
        Assert.Equal(1, await MlNetVision.Data.PrefetchWorker.Run(torch.get_num_threads));
        Assert.Equal(before, torch.get_num_threads());
    }
}
