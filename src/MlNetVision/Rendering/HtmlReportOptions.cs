using MlNetVision.Interpretation;

namespace MlNetVision.Rendering;

/// <summary>How <see cref="HtmlReport"/> renders the interpretation parts of a <see cref="TrainingReport"/>.</summary>
public sealed class HtmlReportOptions
{
    /// <summary>Default of <see cref="TopLosses"/>.</summary>
    public const int DefaultTopLosses = 9;

    /// <summary>How many top losses to show (fastai's <c>plot_top_losses(9)</c> of lesson 1).</summary>
    /// <value>The default value is 9.</value>
    public int TopLosses { get; set; } = DefaultTopLosses;

    /// <summary>Whether the confusion matrix shows row shares instead of counts.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool NormalizeConfusionMatrix { get; set; }

    /// <summary>Default of <see cref="MostConfusedMinVal"/>.</summary>
    public const int DefaultMostConfusedMinVal = 1;

    /// <summary>The smallest count of a most-confused pair to list (fastai's default; lesson 1 passes 2).</summary>
    /// <value>The default value is 1.</value>
    public int MostConfusedMinVal { get; set; } = DefaultMostConfusedMinVal;

    /// <summary>The layout of the top-losses grid.</summary>
    /// <value>The default value is a new <see cref="TopLossesPlotOptions"/> with its defaults.</value>
    public TopLossesPlotOptions TopLossesPlot { get; set; } = new();

    /// <summary>The layout of the confusion-matrix heatmap; its <c>Normalize</c> is replaced by <see cref="NormalizeConfusionMatrix"/>.</summary>
    /// <value>The default value is a new <see cref="ConfusionMatrixPlotOptions"/> with its defaults.</value>
    public ConfusionMatrixPlotOptions ConfusionMatrixPlot { get; set; } = new();

    /// <summary>Whether the top-losses section also shows each image under its Grad-CAM heat map, when the interpretation has a model (<see cref="ClassificationInterpretation.HasHeatMaps"/>).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool TopLossesHeatMaps { get; set; } = true;
}
