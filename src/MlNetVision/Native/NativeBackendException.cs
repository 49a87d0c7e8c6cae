namespace MlNetVision.Native;

/// <summary>Thrown when TorchSharp's native backend cannot be loaded; the message says what is missing and how to fix it.</summary>
public sealed class NativeBackendException : Exception
{
    /// <summary>Creates the exception with a message that explains the failure.</summary>
    public NativeBackendException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the loader's own error.</summary>
    public NativeBackendException(string message, Exception inner) : base(message, inner) { }
}
