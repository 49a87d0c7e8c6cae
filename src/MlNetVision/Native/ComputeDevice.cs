using System.Globalization;
using TorchSharp;

namespace MlNetVision.Native;

/// <summary>
/// The device a learner computes on, from the text of a <c>Device</c> option: <c>cpu</c>, <c>cuda</c> (the first GPU),
/// <c>cuda:N</c> or <c>auto</c> (CUDA when libtorch's CUDA build is loaded and a GPU answers, else the CPU). One parser
/// for the library options, the ML.NET estimator and the command line's <c>--device</c>.
/// </summary>
public static class ComputeDevice
{
    /// <summary>The default device: CUDA when it is available, else the CPU.</summary>
    public const string Auto = "auto";

    /// <summary>The accepted forms, for help texts and messages.</summary>
    public const string Forms = "cpu, cuda, cuda:N or auto";

    /// <summary>Checks the form of <paramref name="spec"/> without touching libtorch.</summary>
    /// <returns><see langword="null"/> when it is one of <see cref="Forms"/>, else the error message.</returns>
    public static string? Validate(string? spec) => TryParse(spec, out _, out _) ? null : $"Unknown device '{spec}'. Use {Forms}.";

    /// <summary>Whether libtorch can compute on a CUDA GPU in this process (the CUDA build is loaded and a device answers).</summary>
    public static bool IsCudaAvailable()
    {
        NativeBackend.EnsureLoaded();
        return torch.cuda.is_available();
    }

    /// <summary>
    /// Resolves <paramref name="spec"/> to a libtorch device and describes the choice (for <c>auto</c>, also why).
    /// </summary>
    /// <param name="spec">One of <see cref="Forms"/>; <see langword="null"/> or empty means <see cref="Auto"/>.</param>
    /// <param name="description">What was chosen and why, e.g. <c>cpu (auto: CUDA is not available ...)</c>.</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentException"><paramref name="spec"/> is not one of <see cref="Forms"/>.</exception>
    /// <exception cref="DeviceUnavailableException">A CUDA device was asked for and this process cannot use it; the message says what to install.</exception>
    public static torch.Device Resolve(string? spec, out string description)
    {
        if (!TryParse(spec, out var kind, out var index))
            throw new ArgumentException(Validate(spec), nameof(spec));
        NativeBackend.EnsureLoaded();
        switch (kind)
        {
            case DeviceType.CPU:
                description = "cpu";
                return torch.CPU;
            case DeviceType.CUDA:
            {
                if (!torch.cuda.is_available()) throw new DeviceUnavailableException(UnavailableMessage(spec!));
                var count = torch.cuda.device_count();
                if (index >= count)
                    throw new DeviceUnavailableException($"Device '{spec}' was asked for, but this machine has {count} CUDA device(s) (cuda:0 to cuda:{count - 1}).");
                description = $"cuda:{index}";
                return torch.device(DeviceType.CUDA, index);
            }
            default:
                if (torch.cuda.is_available())
                {
                    description = $"cuda:0 (auto: CUDA is available, {torch.cuda.device_count()} device(s))";
                    return torch.device(DeviceType.CUDA, 0);
                }
                description = $"cpu (auto: CUDA is not available: {WhyNoCuda()})";
                return torch.CPU;
        }
    }

    private static string WhyNoCuda() =>
        NativeBackend.Status?.Backend == NativeBackend.CudaBackendPackage
            ? $"{NativeBackend.CudaBackendPackage} is loaded but no GPU answered (NVIDIA driver?)"
            : $"the application references the CPU build of libtorch, not {NativeBackend.CudaBackendPackage}";

    private static string UnavailableMessage(string spec) =>
        NativeBackend.Status?.Backend == NativeBackend.CudaBackendPackage
            ? $"Device '{spec}' was asked for, but CUDA is not available: {NativeBackend.CudaBackendPackage} is loaded and no GPU answered. " +
              "Check the NVIDIA driver (nvidia-smi) supports CUDA 12.8, or use Device = \"cpu\" or \"auto\"."
            : $"Device '{spec}' was asked for, but CUDA is not available: this application uses libtorch's CPU build. Reference " +
              $"<PackageReference Include=\"{NativeBackend.CudaBackendPackage}\" Version=\"{NativeBackend.BackendVersion}\" /> instead of " +
              $"{NativeBackend.CpuBackendPackage} and have an NVIDIA driver for CUDA 12.8, or use Device = \"cpu\" or \"auto\" (CLI: --device cpu|auto).";

    private static bool TryParse(string? spec, out DeviceType kind, out int index)
    {
        kind = DeviceType.CPU;
        index = 0;
        var s = string.IsNullOrWhiteSpace(spec) ? Auto : spec.Trim().ToLowerInvariant();
        if (s == Auto) { kind = (DeviceType)(-1); return true; }
        if (s == "cpu") return true;
        if (s == "cuda") { kind = DeviceType.CUDA; return true; }
        if (s.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(s.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            kind = DeviceType.CUDA;
            return true;
        }
        return false;
    }
}
