using MlNetVision.Interpretation;
using MlNetVision.Training;

namespace MlNetVision.Rendering;

/// <summary>fastai-style plotting of single-image heat maps through a learner; the drawing lives in <see cref="HeatMapPlot"/>.</summary>
public static class LearnerHeatMapPlotExtensions
{
    /// <summary>
    /// Predicts <paramref name="imagePath"/> as <c>learn.Predict</c> does and saves the single-image view of its heat map
    /// (for <paramref name="classIndex"/>, the predicted class when null) to <paramref name="path"/>, atomically.
    /// </summary>
    /// <returns>The heat map drawn (its probabilities are the prediction's).</returns>
    /// <exception cref="Data.ImageDecodeException">The file is not a decodable image.</exception>
    public static HeatMap PlotHeatMap(this Learner learner, string imagePath, string path, int? classIndex = null, HeatMapPlotOptions? options = null)
    {
        var map = learner.HeatMap(imagePath, classIndex);
        HeatMapPlot.Save(map, learner.Classes, path, options);
        return map;
    }
}
