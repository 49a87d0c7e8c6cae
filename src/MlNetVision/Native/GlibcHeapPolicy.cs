namespace MlNetVision.Native;

/// <summary>What <see cref="GlibcHeap.ApplyDefaultPolicy"/> did.</summary>
/// <param name="Applied">Whether the library set glibc's heap policy.</param>
/// <param name="MmapThresholdBytes">The mmap threshold it set, when it did.</param>
/// <param name="SkippedBecause">Why it did not, when it did not.</param>
public sealed record GlibcHeapPolicy(bool Applied, int? MmapThresholdBytes, string? SkippedBecause);
