using System.Runtime.InteropServices;
using MlNetVision.Native;

namespace MlNetVision.Tests.Native;

public class GlibcHeapTests
{
    private const int Block = 8 << 20;

    [Fact]
    public void Should_MapEveryLargeBlock_When_TheThresholdIsFixed()
    {
        NativeBackend.EnsureLoaded();
        var policy = GlibcHeap.Applied;
        Assert.NotNull(policy);
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(GlibcHeap.Variable)))
        {
            // Opt-in: without the variable the backend leaves glibc alone and says why. A threshold fixed this late
            // does not map blocks the heap's free memory can already serve, so the mapping check needs the variable
            // set for the whole test run (MLNETVISION_GLIBC_HEAP=on bash .ci/test).
            Assert.False(policy.Applied);
            Assert.Contains("off by default", policy.SkippedBecause);
            return;
        }
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

        Assert.Contains("off by default", GlibcHeap.ReasonToSkip(Env(), isGlibc: true));
        Assert.Null(GlibcHeap.ReasonToSkip(Env((GlibcHeap.Variable, "on")), isGlibc: true));
        Assert.Contains("MLNETVISION_GLIBC_HEAP=off", GlibcHeap.ReasonToSkip(Env((GlibcHeap.Variable, "off")), isGlibc: true));
        Assert.NotNull(GlibcHeap.ReasonToSkip(Env((GlibcHeap.Variable, "0")), isGlibc: true));
        Assert.NotNull(GlibcHeap.ReasonToSkip(Env((GlibcHeap.Variable, "False")), isGlibc: true));
        foreach (var name in new[] { "MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_ARENA_MAX", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES" })
            Assert.Contains(name, GlibcHeap.ReasonToSkip(Env((GlibcHeap.Variable, "on"), (name, "1")), isGlibc: true));
        Assert.Contains("not glibc", GlibcHeap.ReasonToSkip(Env(), isGlibc: false));
    }

    [Fact]
    public void Should_DefaultTheMmapThresholdTo4MiB_When_TurnedOnWithoutANumber()
    {
        Assert.Equal(4 << 20, GlibcHeap.DefaultMmapThresholdBytes);
        Assert.Equal(64 << 10, GlibcHeap.MinMmapThresholdBytes);
        Assert.Equal(32 << 20, GlibcHeap.MaxMmapThresholdBytes);
        Assert.Equal("MLNETVISION_GLIBC_HEAP", GlibcHeap.Variable);
    }

    [Theory]
    [InlineData(null, 4 << 20)]
    [InlineData("on", 4 << 20)]
    [InlineData("1048576", 1 << 20)]
    [InlineData("65536", 64 << 10)]
    [InlineData("1024", 4 << 20)]
    [InlineData("67108864", 4 << 20)]
    [InlineData("-5", 4 << 20)]
    public void Should_UseTheGivenThreshold_When_TheVariableIsANumberOfBytesWithinTheLimits(string? value, int expected) =>
        Assert.Equal(expected, GlibcHeap.Threshold(value));
}
