using Microsoft.ML.Data;

namespace ModelBuilderStyle;

/// <summary>The model's input, as Model Builder generates it for image classification: the encoded image bytes and, for training, the label.</summary>
public sealed class ModelInput
{
    /// <summary>The class name (only needed to train and evaluate).</summary>
    [ColumnName("Label")]
    public string Label { get; set; } = "";

    /// <summary>The encoded image (JPEG, PNG, BMP, GIF or WebP bytes), e.g. <c>File.ReadAllBytes</c> or an upload.</summary>
    [ColumnName("ImageSource")]
    public byte[] ImageSource { get; set; } = [];
}
