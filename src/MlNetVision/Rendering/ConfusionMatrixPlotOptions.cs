namespace MlNetVision.Rendering;

/// <summary>How <see cref="ConfusionMatrixPlot"/> draws the confusion matrix. Defaults follow fastai v1's <c>plot_confusion_matrix</c>.</summary>
public sealed class ConfusionMatrixPlotOptions
{
    /// <summary>Whether cells show the share of their row (actual class) instead of counts.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Normalize { get; set; }

    /// <summary>The figure title.</summary>
    /// <value>The default value is <c>"Confusion matrix"</c>.</value>
    public string Title { get; set; } = "Confusion matrix";

    /// <summary>Decimals of the shares when <see cref="Normalize"/> is set (fastai's <c>norm_dec</c>).</summary>
    /// <value>The default value is 2.</value>
    public int Decimals { get; set; } = 2;

    /// <summary>The side of each square cell, in pixels (lowered for many classes, see <see cref="MaxGridSize"/>).</summary>
    /// <value>The default value is 56.</value>
    public int CellSize { get; set; } = 56;

    /// <summary>
    /// The largest side of the grid of cells, in pixels: with many classes cells shrink to
    /// <c>max(20, MaxGridSize / classes)</c> so that 37 pet breeds still give a picture about 1,700 pixels wide.
    /// </summary>
    /// <value>The default value is 1400.</value>
    public int MaxGridSize { get; set; } = 1400;

    /// <summary>
    /// The most room for class names left of and below the grid, in pixels: the room is the longest name plus 10 pixels,
    /// up to this; longer names are shrunk, then cut with an ellipsis.
    /// </summary>
    /// <value>The default value is 140.</value>
    public int LabelAreaSize { get; set; } = 140;

    /// <summary>The margin on every side, which holds the title and the axis titles, in pixels.</summary>
    /// <value>The default value is 44.</value>
    public int Margin { get; set; } = 44;

    /// <summary>The font size of class names and titles, in pixels.</summary>
    /// <value>The default value is 14.</value>
    public float FontSize { get; set; } = 14;

    /// <summary>A copy of these options with <see cref="Normalize"/> set to <paramref name="normalize"/>.</summary>
    internal ConfusionMatrixPlotOptions WithNormalize(bool normalize)
    {
        var copy = (ConfusionMatrixPlotOptions)MemberwiseClone();
        copy.Normalize = normalize;
        return copy;
    }
}
