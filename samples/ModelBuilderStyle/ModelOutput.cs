using Microsoft.ML.Data;

namespace ModelBuilderStyle;

/// <summary>The model's output, as Model Builder generates it.</summary>
public sealed class ModelOutput
{
    /// <summary>The predicted class name.</summary>
    [ColumnName("PredictedLabel")]
    public string PredictedLabel { get; set; } = "";

    /// <summary>Probability of each class; the Score column's slot names say which.</summary>
    [ColumnName("Score")]
    public float[] Score { get; set; } = [];
}
