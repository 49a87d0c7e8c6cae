using System.Runtime.InteropServices;
using System.Security.Cryptography;
using TorchSharp;

namespace MlNetVision.Native;

/// <summary>
/// Loads TorchSharp's native backend on any supported Linux, including ones whose C++ runtime is older than
/// the one TorchSharp's shim was linked against (Debian 12, Ubuntu 22.04).
/// </summary>
/// <remarks>
/// <para>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> declares a need for <c>GLIBCXX_3.4.32</c> (GCC 13) through a single
/// symbol, <c>std::ios_base_library_init()</c>, that GCC 13 emits as a link-time anchor and no relocation ever uses.
/// On a system whose <c>libstdc++.so.6</c> stops at an older version the loader refuses the whole library, and
/// TorchSharp reports a misleading "doesn't contain a reference to libtorch-cpu-linux-x64".
/// </para>
/// <para>
/// <see cref="EnsureLoaded"/> reads the shim's version needs and the system libstdc++'s version definitions. When
/// every need is met it does nothing special. When the only unmet needs are versions no relocation uses, it writes a
/// copy of the shim with those needs marked weak (<c>VER_FLG_WEAK</c>; two bytes differ) into a per-user cache,
/// loads libtorch and that copy, and lets TorchSharp find it by its soname. The NuGet cache and the application
/// folder are never modified. When the backend still cannot load, it throws one <see cref="NativeBackendException"/>
/// that says what is missing and how to fix it.
/// </para>
/// </remarks>
public static class NativeBackend
{
    private const string ShimFileName = "libLibTorchSharp.so";
    private const string CpuBackendVersion = "2.10.0";
    private static readonly string[] LibTorchFiles = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    /// <summary>The NuGet package of libtorch's CUDA build for Linux x64 (same libtorch version as <see cref="CpuBackendPackage"/>).</summary>
    public const string CudaBackendPackage = "libtorch-cuda-12.8-linux-x64";

    /// <summary>The NuGet package of libtorch's CPU build for Linux x64.</summary>
    public const string CpuBackendPackage = "libtorch-cpu-linux-x64";

    /// <summary>The libtorch version both backend packages must have (TorchSharp 0.107 is built against it).</summary>
    public const string BackendVersion = CpuBackendVersion;

    private static readonly string[] CudaLibTorchFiles = ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];
    private static readonly object Gate = new();
    private static NativeBackendStatus? _status;

    /// <summary>The environment variable that overrides where the patched copy of the shim is cached.</summary>
    public const string CacheDirectoryVariable = "MLNETVISION_NATIVE_CACHE";

    /// <summary>What the last successful <see cref="EnsureLoaded"/> did, or <c>null</c> before it has run.</summary>
    public static NativeBackendStatus? Status => _status;

    /// <summary>
    /// Makes sure TorchSharp's native backend (libtorch's CPU build, or its CUDA build when the application references
    /// <see cref="CudaBackendPackage"/>) is loaded, applying the libstdc++ compatibility step when it is needed.
    /// Safe to call many times and from many threads; only the first call does work.
    /// </summary>
    /// <returns>What was found and done.</returns>
    /// <exception cref="NativeBackendException">The backend cannot be loaded; the message says why and what to do.</exception>
    public static NativeBackendStatus EnsureLoaded()
    {
        if (_status is { } done) return done;
        lock (Gate)
        {
            if (_status is { } again) return again;
            GlibcHeap.ApplyDefaultPolicy();
            var status = RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && RuntimeInformation.ProcessArchitecture == Architecture.X64
                ? LoadOnLinux()
                : LoadElsewhere();
            _status = status;
            return status;
        }
    }

    private static NativeBackendStatus LoadElsewhere()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            return new NativeBackendStatus(NativeCompatAction.None, null, null, null, []);
        }
        catch (Exception e)
        {
            throw new NativeBackendException(
                $"TorchSharp's native backend could not be loaded: {FirstLine(e.Message)} Reference the libtorch package for this platform (see README, 'Native backend').", e);
        }
    }

    private static NativeBackendStatus LoadOnLinux()
    {
        var shim = FindNativeFile(ShimFileName, "torchsharp", null)
            ?? throw new NativeBackendException(
                $"TorchSharp's native shim {ShimFileName} was not found next to the application or in the TorchSharp package. Reference the TorchSharp package (0.107.0).");
        // The CPU and the CUDA packages both ship libtorch_cpu.so; the CUDA one also has libtorch_cuda.so beside it.
        var libTorchDir = FindNativeFile("libtorch_cpu.so", CpuBackendPackage, CpuBackendVersion) is { } cpu ? Path.GetDirectoryName(cpu) : null;
        if (libTorchDir is null)
            throw new NativeBackendException(MissingBackendMessage());
        bool cudaBuild = File.Exists(Path.Combine(libTorchDir, "libtorch_cuda.so"));
        var backend = cudaBuild ? CudaBackendPackage : CpuBackendPackage;

        var libStdCxx = FindLoadedOrSystemLibrary("libstdc++.so.6");
        var offered = libStdCxx is null ? [] : ElfVersionInfo.Read(libStdCxx).Definitions.ToHashSet(StringComparer.Ordinal);
        var plan = NativeCompatPlan.Create(ElfVersionInfo.Read(shim), "libstdc++.so.6", offered);

        if (plan.CannotHelp.Count > 0)
            throw new NativeBackendException(plan.DescribeFailure(shim, libStdCxx, offered));

        string? loadedShim = null;
        if (plan.ToMarkWeak.Count > 0)
        {
            loadedShim = WritePatchedCopy(shim, plan);
            foreach (var lib in cudaBuild ? CudaLibTorchFiles : LibTorchFiles)
                NativeLibrary.Load(Path.Combine(libTorchDir, lib));
            NativeLibrary.Load(loadedShim);
        }

        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e)
        {
            throw new NativeBackendException(
                $"TorchSharp's native backend failed to load even though its libstdc++ needs are met ({libStdCxx ?? "no libstdc++ found"}). " +
                $"Check that {backend} {CpuBackendVersion} is referenced by the application and restored. Loader said: {FirstLine(e.Message)}", e);
        }

        DisableNnpack(Path.Combine(libTorchDir, "libtorch_cpu.so"));

        return new NativeBackendStatus(
            plan.ToMarkWeak.Count > 0 ? NativeCompatAction.PatchedCopyLoaded : NativeCompatAction.None,
            shim, loadedShim, libStdCxx, plan.ToMarkWeak.Select(n => n.Version).ToList())
        { Backend = backend };
    }

    /// <summary>
    /// Turns libtorch's NNPACK convolution path off (<c>at::globalContext().setUserEnabledNNPACK(false)</c>, what
    /// PyTorch's <c>torch.backends.nnpack.set_flags(False)</c> does). On CPUs NNPACK does not support, libtorch otherwise
    /// tries to initialise it on every convolution and prints "Could not initialize NNPACK! Reason: Unsupported hardware"
    /// each time; oneDNN serves those convolutions either way. Skipped quietly if the symbols are not exported.
    /// </summary>
    private static unsafe void DisableNnpack(string libTorchCpu)
    {
        if (!NativeLibrary.TryLoad(libTorchCpu, out var handle)) return;
        if (!NativeLibrary.TryGetExport(handle, "_ZN2at13globalContextEv", out var globalContext)) return;
        if (!NativeLibrary.TryGetExport(handle, "_ZN2at7Context20setUserEnabledNNPACKEb", out var setNnpack)) return;
        var context = ((delegate* unmanaged<IntPtr>)globalContext)();
        ((delegate* unmanaged<IntPtr, byte, void>)setNnpack)(context, 0);
    }

    /// <summary>
    /// Limits libtorch's intra-op parallelism to <paramref name="threads"/> on the calling thread only, leaving every
    /// other thread (the training loop's included) as it is. libtorch's CPU build runs its operators on OpenMP, whose
    /// thread count is a per-thread setting: a second thread that calls libtorch gets its own team of
    /// <c>torch.get_num_threads()</c> threads, which on a small machine compete with the training step for the same
    /// cores (what PyTorch's <c>DataLoader</c> avoids by calling <c>torch.set_num_threads(1)</c> in each worker).
    /// </summary>
    /// <param name="threads">The number of threads operators may use on this thread; 1 runs them inline.</param>
    /// <returns>True when the setting took effect (checked with <c>torch.get_num_threads()</c> on this thread).</returns>
    internal static unsafe bool TrySetIntraOpThreadsForThisThread(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        EnsureLoaded();
        // The first libtorch call on a thread applies the process-wide count to it; do that first so it does not
        // overwrite the setting below later.
        torch.get_num_threads();
        var libTorchCpu = FindLoadedOrSystemLibrary("libtorch_cpu.so");
        if (libTorchCpu is null || !NativeLibrary.TryLoad(libTorchCpu, out var handle)) return false;
        // dlsym on libtorch_cpu's handle also searches its dependencies, among them the OpenMP runtime it ships.
        if (!NativeLibrary.TryGetExport(handle, "omp_set_num_threads", out var setThreads)) return false;
        ((delegate* unmanaged<int, void>)setThreads)(threads);
        return torch.get_num_threads() == threads;
    }

    /// <summary>Whether libtorch's NNPACK path is enabled (<c>at::globalContext().userEnabledNNPACK()</c>), or null if unknown.</summary>
    internal static unsafe bool? IsNnpackEnabled()
    {
        var dir = FindNativeFile("libtorch_cpu.so", CpuBackendPackage, CpuBackendVersion);
        if (dir is null || !NativeLibrary.TryLoad(dir, out var handle)) return null;
        if (!NativeLibrary.TryGetExport(handle, "_ZN2at13globalContextEv", out var globalContext)) return null;
        if (!NativeLibrary.TryGetExport(handle, "_ZNK2at7Context17userEnabledNNPACKEv", out var getNnpack)) return null;
        var context = ((delegate* unmanaged<IntPtr>)globalContext)();
        return ((delegate* unmanaged<IntPtr, byte>)getNnpack)(context) != 0;
    }

    private static string WritePatchedCopy(string shim, NativeCompatPlan plan)
    {
        var original = File.ReadAllBytes(shim);
        var hash = Convert.ToHexString(SHA256.HashData(original))[..16].ToLowerInvariant();
        var dir = Path.Combine(CacheRoot(), "native", hash);
        var target = Path.Combine(dir, ShimFileName);
        var patched = ElfVersionInfo.MarkWeak(original, plan.ToMarkWeak);
        if (File.Exists(target) && new FileInfo(target).Length == patched.Length && File.ReadAllBytes(target).AsSpan().SequenceEqual(patched))
            return target;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $"{ShimFileName}.{Environment.ProcessId}.tmp");
        File.WriteAllBytes(temp, patched);
        File.Move(temp, target, overwrite: true);
        return target;
    }

    /// <summary>The message for an application that references TorchSharp but no libtorch package.</summary>
    internal static string MissingBackendMessage() =>
        $"libtorch was not found: this application references TorchSharp but not its native backend. " +
        $"Add <PackageReference Include=\"{CpuBackendPackage}\" Version=\"{CpuBackendVersion}\" /> to the application project " +
        $"(or, for an NVIDIA GPU, <PackageReference Include=\"{CudaBackendPackage}\" Version=\"{CpuBackendVersion}\" />; see README, 'Native backend').";

    /// <summary>The folder under which the patched copy is cached: <see cref="CacheDirectoryVariable"/>, else <c>$XDG_CACHE_HOME/mlnetvision</c>, else <c>~/.cache/mlnetvision</c>.</summary>
    public static string CacheRoot()
    {
        if (Environment.GetEnvironmentVariable(CacheDirectoryVariable) is { Length: > 0 } overridden) return overridden;
        if (Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg) return Path.Combine(xdg, "mlnetvision");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return string.IsNullOrEmpty(home) ? Path.Combine(Path.GetTempPath(), "mlnetvision") : Path.Combine(home, ".cache", "mlnetvision");
    }

    /// <summary>Finds a native file next to the application, in its <c>runtimes/linux-x64/native</c> folder, or in the NuGet package it ships in.</summary>
    internal static string? FindNativeFile(string fileName, string package, string? version)
    {
        var candidates = new List<string>
        {
            AppContext.BaseDirectory,
            Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native"),
        };
        var torchSharpDir = Path.GetDirectoryName(typeof(torch).Assembly.Location);
        if (!string.IsNullOrEmpty(torchSharpDir))
        {
            candidates.Add(torchSharpDir);
            candidates.Add(Path.Combine(torchSharpDir, "runtimes", "linux-x64", "native"));
            // Running from the NuGet cache: .../torchsharp/0.107.0/lib/net6.0/TorchSharp.dll
            var packagesRoot = Path.GetFullPath(Path.Combine(torchSharpDir, "..", "..", "..", ".."));
            if (version is not null)
                candidates.Add(Path.Combine(packagesRoot, package, version, "runtimes", "linux-x64", "native"));
            else
                candidates.Add(Path.GetFullPath(Path.Combine(torchSharpDir, "..", "..", "runtimes", "linux-x64", "native")));
        }
        return candidates.Select(d => Path.Combine(d, fileName)).FirstOrDefault(File.Exists);
    }

    /// <summary>The path of <paramref name="soname"/> as this process has it mapped, else as the system loader would find it.</summary>
    internal static string? FindLoadedOrSystemLibrary(string soname)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.EndsWith("/" + soname, StringComparison.Ordinal)) return line[slash..];
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }

        var dirs = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]);
        return dirs.Select(d => Path.Combine(d, soname)).FirstOrDefault(File.Exists);
    }

    private static string FirstLine(string s) => s.Split('\n', 2)[0].Trim();
}
