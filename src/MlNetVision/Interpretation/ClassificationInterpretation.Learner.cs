using MlNetVision.Data;
using MlNetVision.Training;

namespace MlNetVision.Interpretation;

public sealed partial class ClassificationInterpretation
{
    /// <summary>
    /// Creates an interpretation of a learner's predictions on a split (fastai v1's
    /// <c>ClassificationInterpretation.from_learner(learn)</c>): runs <see cref="Learner.GetPreds"/> and keeps the
    /// loader's item order, so <see cref="TopLoss.Index"/> is an index into <c>learner.Data.Loader(split).Items</c>.
    /// </summary>
    /// <param name="learner">The trained learner.</param>
    /// <param name="split">The split to interpret; the validation split by default. The test split has no labels and is refused.</param>
    /// <returns>The interpretation; item images are the loader's source files when they all exist on disk, otherwise none; heat maps come from the learner's model (<see cref="HasHeatMaps"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="split"/> is <see cref="DatasetSplit.Test"/>.</exception>
    public static ClassificationInterpretation FromLearner(Learner learner, DatasetSplit split = DatasetSplit.Valid)
    {
        ArgumentNullException.ThrowIfNull(learner);
        if (split == DatasetSplit.Test)
            throw new ArgumentException("The test split has no labels: interpret the validation (or training) split.", nameof(split));
        var preds = learner.GetPreds(split);
        var paths = learner.Data.Loader(split).Items.Select(i => i.Path).ToList();
        // Items read from an ML.NET column are named "dataview:row/N" and have no file to show.
        var items = paths.All(File.Exists) ? ItemImageSource.FromPaths(paths) : null;
        return FromPredictions(learner.Classes, preds.Probabilities, preds.Targets, preds.Losses, items).WithHeatMaps(ItemHeatMaps.FromLearner(learner, split));
    }
}
