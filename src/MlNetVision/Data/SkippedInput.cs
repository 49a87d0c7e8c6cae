namespace MlNetVision.Data;

/// <summary>One input the bunch left out, and why.</summary>
/// <param name="Source">The file, folder, CSV row or data-view row concerned.</param>
/// <param name="Reason">Why it was left out.</param>
public sealed record SkippedInput(string Source, string Reason)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Source}: {Reason}";
}

/// <summary>Thrown when bad input is found and <see cref="ImageDataBunchOptions.Strict"/> is set, or when nothing usable is left.</summary>
public sealed class BadInputException : Exception
{
    /// <summary>Creates the exception for the given inputs.</summary>
    public BadInputException(string message, IReadOnlyList<SkippedInput> inputs) : base(message) => Inputs = inputs;

    /// <summary>The inputs that were bad.</summary>
    public IReadOnlyList<SkippedInput> Inputs { get; }
}

/// <summary>Thrown when one image cannot be decoded; the message says why.</summary>
public sealed class ImageDecodeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImageDecodeException(string message) : base(message) { }
}
