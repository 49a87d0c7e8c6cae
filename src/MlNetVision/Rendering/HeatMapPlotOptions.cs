namespace MlNetVision.Rendering;

/// <summary>How <see cref="HeatMapPlot"/> lays out the single-image view (each panel is an image box).</summary>
public sealed class HeatMapPlotOptions : TitledImagePlotOptions
{
    /// <summary>The default of <see cref="TitledImagePlotOptions.ImageSize"/>.</summary>
    public const int DefaultImageSize = 224;

    /// <summary>The default of <see cref="ShowImage"/>.</summary>
    public const bool DefaultShowImage = true;

    /// <summary>Creates the options with every default.</summary>
    public HeatMapPlotOptions() : base(DefaultImageSize) { }

    /// <summary>The colour map's opacity over the image.</summary>
    /// <value>The default value is <see cref="HeatMapOverlay.DefaultAlpha"/> (0.6, fastai v1's).</value>
    public float Alpha { get; set; } = HeatMapOverlay.DefaultAlpha;

    /// <summary>Whether the image without the overlay is shown too, left of the overlay.</summary>
    /// <value>The default value is <see cref="DefaultShowImage"/> (true).</value>
    public bool ShowImage { get; set; } = DefaultShowImage;
}
