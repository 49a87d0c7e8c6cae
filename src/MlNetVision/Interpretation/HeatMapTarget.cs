namespace MlNetVision.Interpretation;

/// <summary>Which class a heat map explains.</summary>
public enum HeatMapTarget
{
    /// <summary>The class the model predicted (its arg max): "why did it say this?".</summary>
    Predicted,

    /// <summary>The actual class of the item (fastai v1's <c>plot_top_losses(heatmap=True)</c>): "where did it look for the right answer?".</summary>
    Actual,
}
