namespace MlNetVision.Native;

/// <summary>What <see cref="NativeBackend.EnsureLoaded"/> had to do.</summary>
public enum NativeCompatAction
{
    /// <summary>Nothing: the system met every need of the shim (or the platform is not Linux x64).</summary>
    None,

    /// <summary>A copy of the shim with unused version needs marked weak was written to the cache and loaded.</summary>
    PatchedCopyLoaded,
}
