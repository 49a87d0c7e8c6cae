namespace MlNetVision.Native;

/// <summary>The outcome of loading the native backend.</summary>
/// <param name="Action">What was done.</param>
/// <param name="OriginalShim">The shim TorchSharp ships, when found.</param>
/// <param name="LoadedShim">The patched copy that was loaded, when one was needed.</param>
/// <param name="LibStdCxx">The libstdc++ the process uses.</param>
/// <param name="WeakenedVersions">The version needs that were marked weak.</param>
public sealed record NativeBackendStatus(
    NativeCompatAction Action, string? OriginalShim, string? LoadedShim, string? LibStdCxx, IReadOnlyList<string> WeakenedVersions)
{
    /// <summary>The libtorch package found (<see cref="NativeBackend.CpuBackendPackage"/> or <see cref="NativeBackend.CudaBackendPackage"/>), or <see langword="null"/> off Linux x64.</summary>
    public string? Backend { get; init; }
}
