namespace MlNetVision.Rendering;

/// <summary>How <see cref="ResultsPlot"/> lays out its grid of images (title lines: actual, then predicted).</summary>
public sealed class ResultsPlotOptions : TitledImagePlotOptions
{
    /// <summary>Default of <see cref="TitledImagePlotOptions.ImageSize"/>.</summary>
    public const int DefaultImageSize = 192;

    /// <summary>Creates the options with every default.</summary>
    public ResultsPlotOptions() : base(DefaultImageSize) { }

    /// <summary>How many images per row; null for ⌈√n⌉ (fastai's <c>get_grid</c> layout).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? Columns { get; set; }
}
