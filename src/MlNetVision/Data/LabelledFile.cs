namespace MlNetVision.Data;

/// <summary>An image file and the name of its class, as a folder, CSV or list source names them.</summary>
/// <param name="Path">The image file's full path.</param>
/// <param name="Label">The class name.</param>
public readonly record struct LabelledFile(string Path, string Label);
