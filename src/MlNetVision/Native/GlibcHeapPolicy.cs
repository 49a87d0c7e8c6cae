namespace MlNetVision.Native;

/// <summary>What <see cref="GlibcHeap.ApplyDefaultPolicy"/> did.</summary>
/// <param name="Applied">Whether the library applies its glibc heap policy (trimming, and the mmap threshold if one was asked for).</param>
/// <param name="MmapThresholdBytes">The fixed mmap threshold it set: <see cref="GlibcHeap.FixedMmapThresholdBytes"/>, or the one <see cref="GlibcHeap.Variable"/> asked for.</param>
/// <param name="SkippedBecause">Why it did not, when it did not.</param>
public sealed record GlibcHeapPolicy(bool Applied, int? MmapThresholdBytes, string? SkippedBecause)
{
    /// <summary>Training steps between two <c>malloc_trim</c> calls (0: only at epoch and stage boundaries).</summary>
    /// <value>The default value is <see cref="GlibcHeap.DefaultTrimEverySteps"/> (16).</value>
    public int TrimEverySteps { get; init; } = GlibcHeap.DefaultTrimEverySteps;

    /// <summary>The trim threshold it set (<c>mallopt(M_TRIM_THRESHOLD)</c>), or <c>null</c> when it set none.</summary>
    /// <value><see cref="GlibcHeap.TrimThresholdBytes"/> (256 MiB) when the policy is applied.</value>
    public int? TrimThresholdBytes { get; init; }
}
