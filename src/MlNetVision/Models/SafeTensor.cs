namespace MlNetVision.Models;

/// <summary>One tensor read from a safetensors file, converted to float32.</summary>
/// <param name="Name">The state-dict name.</param>
/// <param name="Shape">The shape.</param>
/// <param name="Data">The values, row-major.</param>
public sealed record SafeTensor(string Name, long[] Shape, float[] Data);
