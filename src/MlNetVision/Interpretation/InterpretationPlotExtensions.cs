using MlNetVision.Rendering;

namespace MlNetVision.Interpretation;

/// <summary>fastai-style plotting calls on a <see cref="ClassificationInterpretation"/>; the drawing lives in the plot types.</summary>
public static class InterpretationPlotExtensions
{
    /// <summary>Saves a PNG grid of the <paramref name="k"/> largest losses (see <see cref="TopLossesPlot"/>).</summary>
    /// <param name="interpretation">The interpretation; it must have item images.</param>
    /// <param name="k">How many items to show.</param>
    /// <param name="path">The PNG file to write (atomically).</param>
    /// <param name="options">Layout; null for the defaults.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="InvalidOperationException">The interpretation has no item images.</exception>
    public static string PlotTopLosses(this ClassificationInterpretation interpretation, int k, string path, TopLossesPlotOptions? options = null) =>
        TopLossesPlot.Save(interpretation, k, path, options);

    /// <summary>
    /// Saves a PNG grid of the <paramref name="k"/> largest losses, each image under its Grad-CAM heat map when
    /// <paramref name="heatmap"/> is set (fastai's <c>plot_top_losses(k, heatmap=True)</c>).
    /// </summary>
    /// <param name="interpretation">The interpretation; heat maps need its model (<see cref="ClassificationInterpretation.HasHeatMaps"/>).</param>
    /// <param name="k">How many items to show.</param>
    /// <param name="path">The PNG file to write (atomically).</param>
    /// <param name="heatmap">Whether to overlay the heat maps.</param>
    /// <param name="options">Layout; null for the defaults. Its <see cref="TopLossesPlotOptions.HeatMap"/> is replaced by <paramref name="heatmap"/>.</param>
    /// <returns>The full path written.</returns>
    /// <exception cref="InvalidOperationException">Heat maps were asked for and the interpretation has no model, or no heat map and no item images.</exception>
    public static string PlotTopLosses(this ClassificationInterpretation interpretation, int k, string path, bool heatmap, TopLossesPlotOptions? options = null) =>
        TopLossesPlot.Save(interpretation, k, path, (options ?? new TopLossesPlotOptions()).WithHeatMap(heatmap));

    /// <summary>Saves the confusion matrix as a PNG heatmap (see <see cref="ConfusionMatrixPlot"/>).</summary>
    /// <param name="interpretation">The interpretation to draw.</param>
    /// <param name="path">The PNG file to write (atomically).</param>
    /// <param name="normalize">Whether cells show row shares instead of counts.</param>
    /// <param name="options">Layout; null for the defaults.</param>
    /// <returns>The full path written.</returns>
    public static string PlotConfusionMatrix(this ClassificationInterpretation interpretation, string path, bool normalize = false, ConfusionMatrixPlotOptions? options = null) =>
        ConfusionMatrixPlot.Save(interpretation, path, normalize, options);
}
