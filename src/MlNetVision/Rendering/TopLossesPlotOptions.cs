using MlNetVision.Interpretation;

namespace MlNetVision.Rendering;

/// <summary>How <see cref="TopLossesPlot"/> lays out its grid of images (title lines: predicted/actual, then loss / probability).</summary>
public sealed class TopLossesPlotOptions : TitledImagePlotOptions
{
    /// <summary>Whether to show the largest losses (true) or the smallest (false), as fastai's <c>largest</c>.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Largest { get; set; } = true;

    /// <summary>How many images per row; null for ⌈√k⌉, fastai v1's layout.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? Columns { get; set; }

    /// <summary>Default of <see cref="TitledImagePlotOptions.ImageSize"/>.</summary>
    public const int DefaultImageSize = 224;

    /// <summary>Default of <see cref="HeaderHeight"/>.</summary>
    public const int DefaultHeaderHeight = 36;

    /// <summary>Creates the options with every default.</summary>
    public TopLossesPlotOptions() : base(DefaultImageSize) { }

    /// <summary>The height of the figure's header line ("Prediction/Actual/Loss/Probability"), in pixels.</summary>
    /// <value>The default value is 36.</value>
    public int HeaderHeight { get; set; } = DefaultHeaderHeight;

    /// <summary>Whether each image is drawn under its Grad-CAM heat map (fastai's <c>heatmap=True</c>); needs <see cref="ClassificationInterpretation.HasHeatMaps"/>.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool HeatMap { get; set; }

    /// <summary>Which class the heat maps explain.</summary>
    /// <value>The default value is <see cref="Interpretation.HeatMapTarget.Actual"/> (fastai v1 backpropagates the actual class).</value>
    public HeatMapTarget HeatMapTarget { get; set; } = HeatMapTarget.Actual;

    /// <summary>The heat map's opacity over the image.</summary>
    /// <value>The default value is <see cref="HeatMapOverlay.DefaultAlpha"/> (0.6, fastai v1's).</value>
    public float HeatMapAlpha { get; set; } = HeatMapOverlay.DefaultAlpha;

    /// <summary>A copy of these options with <see cref="HeatMap"/> set to <paramref name="heatMap"/>.</summary>
    internal TopLossesPlotOptions WithHeatMap(bool heatMap = true)
    {
        var copy = (TopLossesPlotOptions)MemberwiseClone();
        copy.HeatMap = heatMap;
        return copy;
    }
}
