namespace MlNetVision.Data;

/// <summary>Thrown when bad input is found and <see cref="ImageDataBunchOptions.Strict"/> is set, or when nothing usable is left.</summary>
public sealed class BadInputException : Exception
{
    /// <summary>Creates the exception for the given inputs.</summary>
    public BadInputException(string message, IReadOnlyList<SkippedInput> inputs) : base(message) => Inputs = inputs;

    /// <summary>The inputs that were bad.</summary>
    public IReadOnlyList<SkippedInput> Inputs { get; }
}
