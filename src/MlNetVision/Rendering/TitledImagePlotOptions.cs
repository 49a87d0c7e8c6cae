namespace MlNetVision.Rendering;

/// <summary>
/// The layout every plot of titled images shares (<see cref="TopLossesPlot"/>, <see cref="ResultsPlot"/>,
/// <see cref="HeatMapPlot"/>): the image box, the two title lines above it, the gaps and the font.
/// </summary>
public abstract class TitledImagePlotOptions
{
    /// <summary>The default of <see cref="TitleHeight"/>.</summary>
    public const int DefaultTitleHeight = 44;

    /// <summary>The default of <see cref="Gap"/>.</summary>
    public const int DefaultGap = 12;

    /// <summary>The default of <see cref="FontSize"/>.</summary>
    public const float DefaultFontSize = 15f;

    /// <summary>Starts the options with the plot's own default image size.</summary>
    /// <param name="defaultImageSize">The derived plot's <c>DefaultImageSize</c>.</param>
    private protected TitledImagePlotOptions(int defaultImageSize) => ImageSize = defaultImageSize;

    /// <summary>The side of the square box each image is fitted into (aspect ratio kept), in pixels.</summary>
    /// <value>The default value is the plot's <c>DefaultImageSize</c>: 224 for top losses and heat maps, 192 for results.</value>
    public int ImageSize { get; set; }

    /// <summary>The height of the two title lines above each image, in pixels.</summary>
    /// <value>The default value is <see cref="DefaultTitleHeight"/> (44).</value>
    public int TitleHeight { get; set; } = DefaultTitleHeight;

    /// <summary>The gap around and between the images, in pixels.</summary>
    /// <value>The default value is <see cref="DefaultGap"/> (12).</value>
    public int Gap { get; set; } = DefaultGap;

    /// <summary>The font size of the titles, in pixels (lowered to fit long class names).</summary>
    /// <value>The default value is <see cref="DefaultFontSize"/> (15).</value>
    public float FontSize { get; set; } = DefaultFontSize;
}
