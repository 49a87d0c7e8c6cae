namespace MlNetVision.Data;

/// <summary>Thrown when one image cannot be decoded; the message says why.</summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImageDecodeException(string message) : base(message) { }
}
