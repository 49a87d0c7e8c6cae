namespace MlNetVision.Rendering;

/// <summary>How <see cref="HeatMapPlot"/> lays out the single-image view.</summary>
public sealed class HeatMapPlotOptions
{
    /// <summary>The default of <see cref="ImageSize"/>.</summary>
    public const int DefaultImageSize = 224;

    /// <summary>The default of <see cref="TitleHeight"/>.</summary>
    public const int DefaultTitleHeight = 44;

    /// <summary>The default of <see cref="Gap"/>.</summary>
    public const int DefaultGap = 12;

    /// <summary>The default of <see cref="FontSize"/>.</summary>
    public const float DefaultFontSize = 15;

    /// <summary>The default of <see cref="ShowImage"/>.</summary>
    public const bool DefaultShowImage = true;

    /// <summary>The side of the square box each panel is fitted into, in pixels.</summary>
    /// <value>The default value is <see cref="DefaultImageSize"/> (224).</value>
    public int ImageSize { get; set; } = DefaultImageSize;

    /// <summary>The height of the two title lines above the panels, in pixels.</summary>
    /// <value>The default value is <see cref="DefaultTitleHeight"/> (44).</value>
    public int TitleHeight { get; set; } = DefaultTitleHeight;

    /// <summary>The gap around and between the panels, in pixels.</summary>
    /// <value>The default value is <see cref="DefaultGap"/> (12).</value>
    public int Gap { get; set; } = DefaultGap;

    /// <summary>The font size of the titles, in pixels (lowered to fit long class names).</summary>
    /// <value>The default value is <see cref="DefaultFontSize"/> (15).</value>
    public float FontSize { get; set; } = DefaultFontSize;

    /// <summary>The colour map's opacity over the image.</summary>
    /// <value>The default value is <see cref="HeatMapOverlay.DefaultAlpha"/> (0.6, fastai v1's).</value>
    public float Alpha { get; set; } = HeatMapOverlay.DefaultAlpha;

    /// <summary>Whether the image without the overlay is shown too, left of the overlay.</summary>
    /// <value>The default value is <see cref="DefaultShowImage"/> (true).</value>
    public bool ShowImage { get; set; } = DefaultShowImage;
}
