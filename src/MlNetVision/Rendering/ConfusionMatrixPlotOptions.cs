namespace MlNetVision.Rendering;

/// <summary>How <see cref="ConfusionMatrixPlot"/> draws the confusion matrix. Defaults follow fastai v1's <c>plot_confusion_matrix</c>.</summary>
public sealed class ConfusionMatrixPlotOptions
{
    /// <summary>Whether cells show the share of their row (actual class) instead of counts.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool Normalize { get; set; }

    /// <summary>Default of <see cref="Title"/>.</summary>
    public const string DefaultTitle = "Confusion matrix";

    /// <summary>The figure title.</summary>
    /// <value>The default value is <c>"Confusion matrix"</c>.</value>
    public string Title { get; set; } = DefaultTitle;

    /// <summary>Default of <see cref="Decimals"/>.</summary>
    public const int DefaultDecimals = 2;

    /// <summary>Decimals of the shares when <see cref="Normalize"/> is set (fastai's <c>norm_dec</c>).</summary>
    /// <value>The default value is 2.</value>
    public int Decimals { get; set; } = DefaultDecimals;

    /// <summary>Default of <see cref="CellSize"/>.</summary>
    public const int DefaultCellSize = 56;

    /// <summary>The side of each square cell, in pixels (lowered for many classes, see <see cref="MaxGridSize"/>).</summary>
    /// <value>The default value is 56.</value>
    public int CellSize { get; set; } = DefaultCellSize;

    /// <summary>Default of <see cref="MaxGridSize"/>.</summary>
    public const int DefaultMaxGridSize = 1400;

    /// <summary>
    /// The largest side of the grid of cells, in pixels: with many classes cells shrink to
    /// <c>max(20, MaxGridSize / classes)</c> so that 37 pet breeds still give a picture about 1,700 pixels wide.
    /// </summary>
    /// <value>The default value is 1400.</value>
    public int MaxGridSize { get; set; } = DefaultMaxGridSize;

    /// <summary>Default of <see cref="LabelAreaSize"/>.</summary>
    public const int DefaultLabelAreaSize = 140;

    /// <summary>
    /// The most room for class names left of and below the grid, in pixels: the room is the longest name plus 10 pixels,
    /// up to this; longer names are shrunk, then cut with an ellipsis.
    /// </summary>
    /// <value>The default value is 140.</value>
    public int LabelAreaSize { get; set; } = DefaultLabelAreaSize;

    /// <summary>Default of <see cref="Margin"/>.</summary>
    public const int DefaultMargin = 44;

    /// <summary>The margin on every side, which holds the title and the axis titles, in pixels.</summary>
    /// <value>The default value is 44.</value>
    public int Margin { get; set; } = DefaultMargin;

    /// <summary>Default of <see cref="FontSize"/>.</summary>
    public const float DefaultFontSize = 14f;

    /// <summary>The font size of class names and titles, in pixels.</summary>
    /// <value>The default value is 14.</value>
    public float FontSize { get; set; } = DefaultFontSize;

    /// <summary>A copy of these options with <see cref="Normalize"/> set to <paramref name="normalize"/>.</summary>
    internal ConfusionMatrixPlotOptions WithNormalize(bool normalize)
    {
        var copy = (ConfusionMatrixPlotOptions)MemberwiseClone();
        copy.Normalize = normalize;
        return copy;
    }
}
