namespace MlNetVision.Interpretation;

/// <summary>
/// The columns <see cref="ClassificationInterpretation.FromDataView(Microsoft.ML.IDataView, InterpretationColumns, CancellationToken)"/>
/// reads from an ML.NET scored data view. The defaults are ML.NET's multiclass conventions.
/// </summary>
public sealed class InterpretationColumns
{
    /// <summary>The actual class: a key column (with class names as key values) or a text column.</summary>
    /// <value>The default value is <c>"Label"</c>.</value>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The per-class scores: a known-size vector of <see cref="float"/>, one probability per class in key order.</summary>
    /// <value>The default value is <c>"Score"</c>.</value>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The predicted class: a key or text column. When it is absent, the arg max of the scores is used.</summary>
    /// <value>The default value is <c>"PredictedLabel"</c>.</value>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>A text column with each item's image path; used when the data view has it.</summary>
    /// <value>The default value is <c>"ImagePath"</c>.</value>
    public string ImagePathColumnName { get; set; } = "ImagePath";

    /// <summary>
    /// A variable-size vector of <see cref="byte"/> with each item's encoded image (ML.NET's <c>LoadRawImageBytes</c>
    /// output); used instead of the path column when set and present.
    /// </summary>
    /// <value>The default value is <see langword="null"/> (images come from <see cref="ImagePathColumnName"/>).</value>
    public string? ImageBytesColumnName { get; set; }

    /// <summary>The folder that relative image paths are relative to (ML.NET's <c>LoadImages(imageFolder)</c>).</summary>
    /// <value>The default value is <see langword="null"/>: relative paths are resolved against the current directory.</value>
    public string? ImageFolder { get; set; }
}
