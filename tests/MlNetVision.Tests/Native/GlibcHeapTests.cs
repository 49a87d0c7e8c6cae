using System.Globalization;
using System.Runtime.InteropServices;
using MlNetVision.Native;

namespace MlNetVision.Tests.Native;

public class GlibcHeapTests
{
    private const int Block = 8 << 20;

    [Fact]
    public void Should_ApplyTheTrimPolicyAtBackendLoad_When_NoVariableIsSet()
    {
        NativeBackend.EnsureLoaded();
        var policy = GlibcHeap.Applied;
        Assert.NotNull(policy);
        if (GlibcVariablesSet()) return; // the run chose a policy itself (MLNETVISION_GLIBC_HEAP or a MALLOC_* variable)
        Assert.True(policy.Applied, policy.SkippedBecause);
        Assert.Equal(GlibcHeap.FixedMmapThresholdBytes, policy.MmapThresholdBytes);
        Assert.Equal(GlibcHeap.TrimThresholdBytes, policy.TrimThresholdBytes);
        Assert.Equal(GlibcHeap.DefaultTrimEverySteps, policy.TrimEverySteps);
        // The process's own policy is the one the training loop trims with: the default keeps freed heap memory from
        // staying resident.
        Assert.True(FreedHeapMemoryReturned(() => GlibcHeap.AtBoundary()) > 150, "the default policy's boundary trim returned too little");
    }

    [Fact]
    public void Should_KeepFreedHeapMemoryResident_When_ThePolicyIsOff()
    {
        var off = new GlibcHeapPolicy(false, null, $"{GlibcHeap.Variable}=off");
        var on = new GlibcHeapPolicy(true, null, null);
        double kept = FreedHeapMemoryReturned(() => Assert.False(GlibcHeap.AtBoundary(off)));
        double returned = FreedHeapMemoryReturned(() => Assert.True(GlibcHeap.AtBoundary(on)));
        Assert.True(kept < 100, $"with the policy off {kept:0} MiB of freed heap memory went back; glibc keeps it");
        Assert.True(returned > 150, $"with the policy on only {returned:0} MiB of 250 MiB freed went back");
    }

    [Fact]
    public void Should_TrimEveryNthStep_When_AnIntervalIsSet()
    {
        var policy = new GlibcHeapPolicy(true, null, null) { TrimEverySteps = 3 };
        int steps = 0;
        var trimmed = Enumerable.Range(0, 6).Select(_ => GlibcHeap.AfterStep(policy, ref steps)).ToArray();
        Assert.Equal([false, false, true, false, false, true], trimmed);
        int none = 0;
        Assert.False(GlibcHeap.AfterStep(policy with { Applied = false }, ref none));
        Assert.False(GlibcHeap.AfterStep(new GlibcHeapPolicy(true, null, null) { TrimEverySteps = 0 }, ref none));
    }

    [Fact]
    public void Should_MapEveryLargeBlock_When_TheThresholdIsFixed()
    {
        NativeBackend.EnsureLoaded();
        var policy = GlibcHeap.Applied;
        Assert.NotNull(policy);
        // A threshold fixed this late does not map blocks the heap's free memory can already serve, so the mapping
        // check needs the variable set for the whole test run (MLNETVISION_GLIBC_HEAP=4194304 bash .ci/test).
        if (policy.MmapThresholdBytes is not { } fixedBytes || fixedBytes > Block) return; // no threshold below 8 MiB asked for (MLNETVISION_GLIBC_HEAP=<bytes>)
        Assert.True(policy.Applied, policy.SkippedBecause);

        // glibc's default raises its mmap threshold above a mapped block once that block is freed, so from the second
        // round on an 8 MiB block would come from the heap (and stay resident after free). With the fixed threshold
        // every round maps it.
        for (int round = 0; round < 3; round++)
        {
            var before = GlibcHeap.Statistics()!.Value;
            var p = Marshal.AllocHGlobal(Block);
            var during = GlibcHeap.Statistics()!.Value;
            Marshal.FreeHGlobal(p);
            var after = GlibcHeap.Statistics()!.Value;
            Assert.True(during.HBlkHd - before.HBlkHd >= Block, $"round {round}: {during.HBlkHd - before.HBlkHd} more bytes mapped, expected at least {Block}");
            Assert.True(during.HBlkHd - after.HBlkHd >= Block, $"round {round}: the freed block was not unmapped");
        }
    }

    [Fact]
    public void Should_KeepTheProcessesOwnPolicy_When_TheOptOutOrAGlibcVariableIsSet()
    {
        static Func<string, string?> Env(params (string Name, string Value)[] vars) => name => vars.FirstOrDefault(v => v.Name == name).Value;

        Assert.Null(GlibcHeap.ReasonToSkip(Env(), isGlibc: true));
        Assert.Null(GlibcHeap.ReasonToSkip(Env((GlibcHeap.Variable, "on")), isGlibc: true));
        Assert.Contains("MLNETVISION_GLIBC_HEAP=off", GlibcHeap.ReasonToSkip(Env((GlibcHeap.Variable, "off")), isGlibc: true));
        Assert.NotNull(GlibcHeap.ReasonToSkip(Env((GlibcHeap.Variable, "0")), isGlibc: true));
        Assert.NotNull(GlibcHeap.ReasonToSkip(Env((GlibcHeap.Variable, "False")), isGlibc: true));
        foreach (var name in new[] { "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_ARENA_MAX", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES" })
            Assert.Contains(name, GlibcHeap.ReasonToSkip(Env((name, "1")), isGlibc: true));
        Assert.Contains("not glibc", GlibcHeap.ReasonToSkip(Env(), isGlibc: false));
    }

    [Fact]
    public void Should_TrimEvery16StepsWithoutAFixedThreshold_When_TheDefaultsApply()
    {
        Assert.Equal(16, GlibcHeap.DefaultTrimEverySteps);
        Assert.Equal(16, new GlibcHeapPolicy(true, null, null).TrimEverySteps);
        Assert.Equal(4 << 20, GlibcHeap.DefaultMmapThresholdBytes);
        Assert.Equal(64 << 10, GlibcHeap.MinMmapThresholdBytes);
        Assert.Equal(32 << 20, GlibcHeap.MaxMmapThresholdBytes);
        Assert.Equal("MLNETVISION_GLIBC_HEAP", GlibcHeap.Variable);
        Assert.Equal("MLNETVISION_GLIBC_TRIM_STEPS", GlibcHeap.TrimStepsVariable);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("on", null)]
    [InlineData("1048576", 1 << 20)]
    [InlineData("65536", 64 << 10)]
    [InlineData("1024", 4 << 20)]
    [InlineData("67108864", 4 << 20)]
    [InlineData("-5", 4 << 20)]
    public void Should_UseTheGivenThreshold_When_TheVariableIsANumberOfBytesWithinTheLimits(string? value, int? expected) =>
        Assert.Equal(expected, GlibcHeap.Threshold(value));

    [Theory]
    [InlineData(null, 16)]
    [InlineData("0", 0)]
    [InlineData("4", 4)]
    [InlineData("-1", 16)]
    [InlineData("often", 16)]
    public void Should_ReadTheTrimInterval_When_TheStepsVariableIsSet(string? value, int expected) =>
        Assert.Equal(expected, GlibcHeap.TrimEverySteps(value));

    private static bool GlibcVariablesSet() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(GlibcHeap.Variable)) ||
        GlibcHeap.GlibcVariables.Any(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)));

    // Fills 2,500 heap blocks of 100 KiB (below glibc's smallest mmap threshold, so they come from the heap), frees
    // all but the last (which keeps the freed memory off the heap's top, where glibc would return it by itself), runs
    // `release` and says how many MiB of resident memory it gave back.
    private static double FreedHeapMemoryReturned(Action release)
    {
        const int count = 2500, size = 100 << 10;
        var blocks = new IntPtr[count];
        for (int i = 0; i < count; i++)
        {
            blocks[i] = Marshal.AllocHGlobal(size);
            for (int page = 0; page < size; page += 4096) Marshal.WriteByte(blocks[i], page, 1);
        }
        for (int i = 0; i < count - 1; i++) Marshal.FreeHGlobal(blocks[i]);
        var before = Rss();
        release();
        var after = Rss();
        Marshal.FreeHGlobal(blocks[^1]);
        return before - after;
    }

    private static double Rss()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
    }
}
