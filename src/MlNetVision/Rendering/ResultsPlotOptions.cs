namespace MlNetVision.Rendering;

/// <summary>How <see cref="ResultsPlot"/> lays out its grid of images.</summary>
public sealed class ResultsPlotOptions
{
    /// <summary>Default of <see cref="ImageSize"/>.</summary>
    public const int DefaultImageSize = 192;

    /// <summary>Default of <see cref="TitleHeight"/>.</summary>
    public const int DefaultTitleHeight = 44;

    /// <summary>Default of <see cref="Gap"/>.</summary>
    public const int DefaultGap = 12;

    /// <summary>Default of <see cref="FontSize"/>.</summary>
    public const float DefaultFontSize = 15;

    /// <summary>How many images per row; null for ⌈√n⌉ (fastai's <c>get_grid</c> layout).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? Columns { get; set; }

    /// <summary>The side of the square box each image is fitted into (aspect ratio kept), in pixels.</summary>
    /// <value>The default value is 192.</value>
    public int ImageSize { get; set; } = DefaultImageSize;

    /// <summary>The height of the two title lines (actual, then predicted) above each image, in pixels.</summary>
    /// <value>The default value is 44.</value>
    public int TitleHeight { get; set; } = DefaultTitleHeight;

    /// <summary>The gap around and between cells, in pixels.</summary>
    /// <value>The default value is 12.</value>
    public int Gap { get; set; } = DefaultGap;

    /// <summary>The font size of the titles, in pixels (lowered to fit long class names).</summary>
    /// <value>The default value is 15.</value>
    public float FontSize { get; set; } = DefaultFontSize;
}
