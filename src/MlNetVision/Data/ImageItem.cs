namespace MlNetVision.Data;

/// <summary>One item a <see cref="DataLoader"/> serves: where the image came from and its class index.</summary>
/// <param name="Path">The image's source: a file path, or <c>dataview:row/N</c> for bytes read from an ML.NET column.</param>
/// <param name="Label">The index into <see cref="ImageDataBunch.Classes"/>, or -1 for unlabelled (test) items.</param>
public readonly record struct ImageItem(string Path, int Label);
