using System.Runtime.InteropServices;

namespace MlNetVision.Native;

/// <summary>
/// The glibc heap policy the library applies by default on Linux: <c>malloc_trim(0)</c> every
/// <see cref="DefaultTrimEverySteps"/> training steps or validation batches and at every epoch, LR-finder and freeze/unfreeze boundary, so
/// that the free memory glibc's heap keeps between live blocks goes back to the system instead of staying resident;
/// in between, a fixed mmap threshold (<see cref="FixedMmapThresholdBytes"/>) and trim threshold
/// (<see cref="TrimThresholdBytes"/>), so that the step's blocks are reused from the heap instead of being returned
/// and faulted in again at every step.
/// </summary>
/// <remarks>
/// <para>
/// glibc serves every block below its mmap threshold (which it raises up to 32 MiB as mapped blocks are freed) from
/// its heap, and returns only the free memory at the top of the heap to the system. Training allocates and frees
/// hundreds of MiB per step between long-lived blocks, so the heap's free holes grow: the lesson's recipe on 3,500
/// Fashion-MNIST images at 48 px peaked at 3.0 GiB here while it holds about 0.5 GiB, and the full 70,000-image run
/// held 14.1 GB. <c>malloc_trim</c> gives the free pages inside the heap back (<c>madvise</c>), keeping the address
/// space: pages are faulted in again only where the next steps reuse them, a cost spread over
/// <see cref="DefaultTrimEverySteps"/> steps. Between trims, glibc's own trimming would return the top of the heap
/// inside <c>free</c> at nearly every step (its trim threshold follows the dynamic mmap threshold, about 19 MiB here)
/// and fault it in again at the next, so the policy fixes both thresholds (<see cref="FixedMmapThresholdBytes"/>,
/// <see cref="TrimThresholdBytes"/>): 5.4 times fewer page faults, no slower steps. glibc's <c>malloc_trim</c>
/// shrinks the top of the main arena only; the top of a thread's arena (at most 64 MiB per heap) stays with that
/// thread for its next blocks. The long-lived blocks themselves are kept out of the heap by the training loop
/// (gradients, AdamW's moments and the per-epoch copies are one block each). A lower mmap threshold maps the
/// step's activations at every step and made steps 40–50 % slower; it stays available as an opt-in. Measurements
/// and the options compared: docs/BENCHMARKS.md, "Memory at scale".
/// </para>
/// <para>
/// <see cref="Variable"/> unset or <c>on</c>: the default policy. <c>off</c>, <c>0</c> or <c>false</c>: glibc is left
/// alone (no trimming, its dynamic thresholds). A number of bytes (64 KiB to 32 MiB): the default policy with that mmap
/// threshold instead of <see cref="FixedMmapThresholdBytes"/> (<c>mallopt(M_MMAP_THRESHOLD)</c>: a lower one maps
/// more blocks: less memory, slower steps). <see cref="TrimStepsVariable"/> sets the step
/// interval (0: only at boundaries). Nothing is changed when the C library is not glibc, or when the process already
/// chose a policy through glibc's own variables (<c>MALLOC_MMAP_THRESHOLD_</c>, <c>MALLOC_TRIM_THRESHOLD_</c>,
/// <c>MALLOC_ARENA_MAX</c>, <c>MALLOC_TOP_PAD_</c>, <c>GLIBC_TUNABLES</c>).
/// </para>
/// </remarks>
public static class GlibcHeap
{
    /// <summary>The environment variable that turns the policy off (<c>MLNETVISION_GLIBC_HEAP=off</c>) or adds a fixed mmap threshold in bytes; unset or <c>on</c> keep the default policy.</summary>
    public const string Variable = "MLNETVISION_GLIBC_HEAP";

    /// <summary>The environment variable that sets how many training steps pass between two trims (0: trim only at epoch and stage boundaries).</summary>
    public const string TrimStepsVariable = "MLNETVISION_GLIBC_TRIM_STEPS";

    /// <summary>Default number of training steps between two <c>malloc_trim</c> calls: 16.</summary>
    public const int DefaultTrimEverySteps = 16;

    /// <summary>
    /// The mmap threshold the default policy fixes: 32 MiB, the ceiling of glibc's own dynamic threshold on 64-bit.
    /// Blocks below it come from the heap at every step instead of being mapped (and their pages faulted in again)
    /// whenever glibc's dynamic threshold lags behind the step's block sizes.
    /// </summary>
    public const int FixedMmapThresholdBytes = 32 << 20;

    /// <summary>
    /// The free memory at the top of glibc's heap that <c>free</c> keeps before giving it back by itself
    /// (<c>mallopt(M_TRIM_THRESHOLD)</c>): 256 MiB. glibc's default (twice its dynamic mmap threshold, about 19 MiB
    /// here) returned the top of the heap at nearly every training step and faulted it in again at the next; the
    /// policy's <c>malloc_trim</c> every <see cref="DefaultTrimEverySteps"/> steps returns it instead.
    /// </summary>
    public const int TrimThresholdBytes = 256 << 20;

    /// <summary>The mmap threshold <see cref="Variable"/> sets when it is a number outside the limits: 4 MiB.</summary>
    public const int DefaultMmapThresholdBytes = 4 << 20;

    /// <summary>The smallest threshold <see cref="Variable"/> may set: 64 KiB.</summary>
    public const int MinMmapThresholdBytes = 64 << 10;

    /// <summary>The largest threshold <see cref="Variable"/> may set: 32 MiB (glibc's own maximum on 64-bit).</summary>
    public const int MaxMmapThresholdBytes = 32 << 20;

    /// <summary>glibc's own variables; when any is set, the process has chosen its heap policy and the library keeps it.</summary>
    internal static readonly string[] GlibcVariables = ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_ARENA_MAX", "MALLOC_TOP_PAD_", "GLIBC_TUNABLES"];

    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;
    private static readonly object Gate = new();
    private static GlibcHeapPolicy? _applied;
    private static int _steps;

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
            var every = TrimEverySteps(Environment.GetEnvironmentVariable(TrimStepsVariable));
            GlibcHeapPolicy policy;
            var mmap = threshold ?? FixedMmapThresholdBytes;
            if (reason is not null) policy = new GlibcHeapPolicy(false, null, reason);
            else if (!SetMmapThreshold(mmap)) policy = new GlibcHeapPolicy(false, null, "mallopt(M_MMAP_THRESHOLD) refused the value");
            else if (mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) != 1) policy = new GlibcHeapPolicy(false, mmap, "mallopt(M_TRIM_THRESHOLD) refused the value");
            else policy = new GlibcHeapPolicy(true, mmap, null) { TrimEverySteps = every, TrimThresholdBytes = TrimThresholdBytes };
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
        if (value is not null && value.Trim().ToLowerInvariant() is "off" or "0" or "false")
            return $"{Variable}={value}";
        foreach (var name in GlibcVariables)
            if (!string.IsNullOrEmpty(getVariable(name))) return $"{name} is set: the process chose its own heap policy";
        return null;
    }

    /// <summary>The fixed mmap threshold a value of <see cref="Variable"/> asks for: none when unset or <c>on</c>, a number of bytes within the limits, else <see cref="DefaultMmapThresholdBytes"/>.</summary>
    internal static int? Threshold(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Trim().ToLowerInvariant() is "on" or "true" or "1" or "off" or "0" or "false") return null;
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes)
            && bytes >= MinMmapThresholdBytes && bytes <= MaxMmapThresholdBytes ? bytes : DefaultMmapThresholdBytes;
    }

    /// <summary>The step interval a value of <see cref="TrimStepsVariable"/> asks for: a non-negative number, else <see cref="DefaultTrimEverySteps"/>.</summary>
    internal static int TrimEverySteps(string? value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var steps) ? steps : DefaultTrimEverySteps;

    /// <summary>
    /// Called by the training loop after every optimiser step and every validation batch: trims every
    /// <see cref="GlibcHeapPolicy.TrimEverySteps"/> of them when the policy is applied, else does nothing.
    /// </summary>
    public static void AfterStep() => AfterStep(_applied, ref _steps);

    /// <summary>Training steps and validation batches counted by <see cref="AfterStep()"/> in this process (0 when the policy is not applied).</summary>
    internal static int StepsCounted => Volatile.Read(ref _steps);

    /// <summary>Called at epoch, LR-finder and freeze/unfreeze boundaries: trims when the policy is applied, else does nothing.</summary>
    public static void AtBoundary() => AtBoundary(_applied);

    /// <summary>Counts a step in <paramref name="steps"/> and trims when <paramref name="policy"/> is applied and the count reaches its interval; <c>true</c> when it trimmed.</summary>
    internal static bool AfterStep(GlibcHeapPolicy? policy, ref int steps)
    {
        if (policy is not { Applied: true, TrimEverySteps: > 0 }) return false;
        if (Interlocked.Increment(ref steps) % policy.TrimEverySteps != 0) return false;
        malloc_trim(0);
        return true;
    }

    /// <summary>Trims when <paramref name="policy"/> is applied; <c>true</c> when it trimmed.</summary>
    internal static bool AtBoundary(GlibcHeapPolicy? policy)
    {
        if (policy is not { Applied: true }) return false;
        malloc_trim(0);
        return true;
    }

    /// <summary>Fixes glibc's mmap threshold (<c>mallopt(M_MMAP_THRESHOLD)</c>); <c>false</c> when glibc refused the value.</summary>
    internal static bool SetMmapThreshold(int bytes) => mallopt(M_MMAP_THRESHOLD, bytes) == 1;

    /// <summary>Returns the free pages of glibc's heaps (inside them and at their top) to the system (<c>malloc_trim(0)</c>); <c>false</c> when there were none, or not on glibc.</summary>
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
