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
    /// <returns>The interpretation; item images are read from the loader's sources (files or in-memory bytes) when drawn; heat maps come from the learner's model (<see cref="HasHeatMaps"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="split"/> is <see cref="DatasetSplit.Test"/>.</exception>
    public static ClassificationInterpretation FromLearner(Learner learner, DatasetSplit split = DatasetSplit.Valid)
    {
        ArgumentNullException.ThrowIfNull(learner);
        if (split == DatasetSplit.Test)
            throw new ArgumentException("The test split has no labels: interpret the validation (or training) split.", nameof(split));
        var preds = learner.GetPreds(split);
        var loader = learner.Data.Loader(split);
        // Items read from an ML.NET column are named "dataview:row/N": they have pictures (their bytes) but no file.
        var items = ItemImageSource.FromDelegate(loader.Count, loader.ReadEncoded,
            i => loader.Items[i].Path is var p && File.Exists(p) ? p : null);
        return FromPredictions(learner.Classes, preds.Probabilities, preds.Targets, preds.Losses, items).WithHeatMaps(ItemHeatMaps.FromLearner(learner, split));
    }
}
