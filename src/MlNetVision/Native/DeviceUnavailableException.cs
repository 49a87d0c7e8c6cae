namespace MlNetVision.Native;

/// <summary>Thrown when a CUDA device is asked for and this process cannot compute on it; the message says which package or driver is missing.</summary>
public sealed class DeviceUnavailableException(string message) : InvalidOperationException(message);
