using System.Runtime.InteropServices;

namespace MlNetVision.Native;

/// <summary>
/// The opt-in glibc heap policy the library applies once, when the native backend loads and
/// <c>MLNETVISION_GLIBC_HEAP</c> asks for it: a fixed mmap threshold, so that
/// large blocks (weights, gradients, optimiser state, the largest activations) are mapped and unmapped instead of
/// pinning glibc's heap, where freed memory stays resident.
/// </summary>
/// <remarks>
/// <para>
/// glibc raises its mmap threshold every time a mapped block is freed (up to 32 MiB on 64-bit), so after the first
/// steps every block below that comes from the heap. Long-lived blocks (gradients and AdamW moments created on the
/// first unfrozen step, weight copies) then sit between short-lived activations, and the heap's freed memory cannot
/// go back: the lesson's recipe (head epoch, LR finder, unfrozen epochs) on 12,000 Fashion-MNIST images at 48 px held
/// 3.6 GiB resident here (5.8–7.4 GB on another run) while it needs about 0.6 GiB. A fixed threshold
/// (<c>mallopt(M_MMAP_THRESHOLD)</c>, which also turns the dynamic adjustment off) maps every block of that size or
/// more and returns it when freed. The price is page faults: a mapped block is zeroed by the kernel at every use, so a
/// lower threshold saves more memory and costs more time (1 MiB: a third less memory again, but steps up to 45 %
/// slower). Measurements and the options compared: docs/BENCHMARKS.md, "Memory at scale".
/// </para>
/// <para>
/// It is off by default because it costs speed (steps 40–50 % slower at 4 MiB, measured): <see cref="Variable"/> set to
/// <c>on</c> applies the default threshold, set to a number of bytes uses that threshold (at least 64 KiB, at most 32 MiB).
/// Nothing is changed when the variable is unset or <c>off</c>, when the C library is not glibc, or when the
/// process already chose a policy through glibc's own variables (<c>MALLOC_MMAP_THRESHOLD_</c>,
/// <c>MALLOC_TRIM_THRESHOLD_</c>, <c>MALLOC_ARENA_MAX</c>, <c>MALLOC_TOP_PAD_</c>, <c>GLIBC_TUNABLES</c>).
/// </para>
/// </remarks>
public static class GlibcHeap
{
    /// <summary>The environment variable that turns the policy on (<c>MLNETVISION_GLIBC_HEAP=on</c>, or a threshold in bytes); unset, <c>off</c>, <c>0</c> or <c>false</c> leave glibc alone.</summary>
    public const string Variable = "MLNETVISION_GLIBC_HEAP";

    /// <summary>Default of the mmap threshold the policy sets: 4 MiB (allocations of this size and above are mapped).</summary>
    public const int DefaultMmapThresholdBytes = 4 << 20;

    /// <summary>The smallest threshold <see cref="Variable"/> may set: 64 KiB.</summary>
    public const int MinMmapThresholdBytes = 64 << 10;

    /// <summary>The largest threshold <see cref="Variable"/> may set: 32 MiB (glibc's own maximum on 64-bit).</summary>
    public const int MaxMmapThresholdBytes = 32 << 20;

    /// <summary>glibc's own variables; when any is set, the process has chosen its heap policy and the library keeps it.</summary>
    internal static readonly string[] GlibcVariables = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_ARENA_MAX", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"];

    private const int M_MMAP_THRESHOLD = -3;
    private static readonly object Gate = new();
    private static GlibcHeapPolicy? _applied;

    /// <summary>What <see cref="ApplyDefaultPolicy"/> did, or <c>null</c> before it has run.</summary>
    public static GlibcHeapPolicy? Applied => _applied;

    /// <summary>
    /// Applies the policy once per process (later calls return the first result). Called by
    /// <see cref="NativeBackend.EnsureLoaded"/>.
    /// </summary>
    /// <returns>Whether the policy was applied and, if not, why.</returns>
    public static GlibcHeapPolicy ApplyDefaultPolicy()
    {
        if (_applied is { } done) return done;
        lock (Gate)
        {
            if (_applied is { } again) return again;
            var reason = ReasonToSkip(Environment.GetEnvironmentVariable, IsGlibc());
            var threshold = Threshold(Environment.GetEnvironmentVariable(Variable));
            var policy = reason is null && SetMmapThreshold(threshold)
                ? new GlibcHeapPolicy(true, threshold, null)
                : new GlibcHeapPolicy(false, null, reason ?? "mallopt(M_MMAP_THRESHOLD) refused the value");
            _applied = policy;
            return policy;
        }
    }

    /// <summary>
    /// Why the policy would not be applied with these environment variables, or <c>null</c> when it would be.
    /// </summary>
    /// <param name="getVariable">Reads an environment variable (<see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    /// <param name="isGlibc">Whether the process runs on glibc.</param>
    internal static string? ReasonToSkip(Func<string, string?> getVariable, bool isGlibc)
    {
        if (!isGlibc) return "the C library is not glibc";
        var value = getVariable(Variable);
        if (string.IsNullOrWhiteSpace(value)) return $"off by default ({Variable}=on or a threshold in bytes turns it on)";
        if (value.Trim().ToLowerInvariant() is "off" or "0" or "false")
            return $"{Variable}={value}";
        foreach (var name in GlibcVariables)
            if (!string.IsNullOrEmpty(getVariable(name))) return $"{name} is set: the process chose its own heap policy";
        return null;
    }

    /// <summary>The threshold for a value of <see cref="Variable"/>: a number of bytes within the limits, else <see cref="DefaultMmapThresholdBytes"/>.</summary>
    internal static int Threshold(string? value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes)
        && bytes >= MinMmapThresholdBytes && bytes <= MaxMmapThresholdBytes ? bytes : DefaultMmapThresholdBytes;

    /// <summary>Fixes glibc's mmap threshold (<c>mallopt(M_MMAP_THRESHOLD)</c>); <c>false</c> when glibc refused the value.</summary>
    internal static bool SetMmapThreshold(int bytes) => mallopt(M_MMAP_THRESHOLD, bytes) == 1;

    /// <summary>Returns the free memory at the top of glibc's heaps to the system (<c>malloc_trim(0)</c>); <c>false</c> when there was none, or not on glibc.</summary>
    public static bool Trim()
    {
        if (!IsGlibc()) return false;
        return malloc_trim(0) == 1;
    }

    /// <summary>glibc's heap statistics (<c>mallinfo2</c>), or <c>null</c> when not on glibc 2.33 or newer.</summary>
    internal static MallocInfo? Statistics()
    {
        if (!IsGlibc()) return null;
        try { return mallinfo2(); }
        catch (EntryPointNotFoundException) { return null; }
    }

    private static bool IsGlibc()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return false;
        try { return gnu_get_libc_version() != IntPtr.Zero; }
        catch (EntryPointNotFoundException) { return false; }
        catch (DllNotFoundException) { return false; }
    }

    /// <summary>glibc's <c>struct mallinfo2</c> (every field a <c>size_t</c>).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal readonly struct MallocInfo
    {
        /// <summary>Bytes of the main heap obtained with sbrk.</summary>
        public readonly nuint Arena;
        /// <summary>Free chunks.</summary>
        public readonly nuint OrdBlks;
        /// <summary>Free fastbin blocks.</summary>
        public readonly nuint SmBlks;
        /// <summary>Blocks allocated with mmap.</summary>
        public readonly nuint HBlks;
        /// <summary>Bytes allocated with mmap.</summary>
        public readonly nuint HBlkHd;
        /// <summary>Unused (always 0).</summary>
        public readonly nuint UsmBlks;
        /// <summary>Bytes in free fastbin blocks.</summary>
        public readonly nuint FsmBlks;
        /// <summary>Bytes in use in the heap.</summary>
        public readonly nuint UordBlks;
        /// <summary>Free bytes in the heap.</summary>
        public readonly nuint FordBlks;
        /// <summary>Bytes at the top of the heap that trimming could release.</summary>
        public readonly nuint KeepCost;
    }

    [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
    private static extern int mallopt(int param, int value);

    [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
    private static extern int malloc_trim(nuint pad);

    [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
    private static extern MallocInfo mallinfo2();

    [DllImport("libc", CallingConvention = CallingConvention.Cdecl)]
    private static extern IntPtr gnu_get_libc_version();
}
