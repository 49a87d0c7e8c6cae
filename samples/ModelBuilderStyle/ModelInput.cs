using Microsoft.ML.Data;

namespace ModelBuilderStyle;

/// <summary>The model's input, as Model Builder generates it: the image path and, for training, its label.</summary>
public sealed class ModelInput
{
    /// <summary>The class name (only needed to train and evaluate).</summary>
    [ColumnName("Label")]
    public string Label { get; set; } = "";

    /// <summary>Path of the image file.</summary>
    [ColumnName("ImagePath")]
    public string ImagePath { get; set; } = "";
}
