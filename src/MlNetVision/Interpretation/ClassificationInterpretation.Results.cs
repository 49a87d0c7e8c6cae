namespace MlNetVision.Interpretation;

public sealed partial class ClassificationInterpretation
{
    /// <summary>Default of <see cref="Results"/>'s <c>maxN</c> (fastai v2 <c>show_results(max_n=9)</c>).</summary>
    public const int DefaultResultsCount = 9;

    /// <summary>
    /// The first <paramref name="maxN"/> items in their order with actual and predicted class (fastai's
    /// <c>show_results</c>, which shows the first validation batch); fewer when there are fewer items.
    /// Drawn by <see cref="Rendering.ResultsPlot"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxN"/> is not positive.</exception>
    public IReadOnlyList<ShownResult> Results(int maxN = DefaultResultsCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxN);
        return Enumerable.Range(0, Math.Min(maxN, Count)).Select(i =>
        {
            int actual = _targets[i], predicted = _predicted[i];
            return new ShownResult(i, actual, Classes[actual], predicted, Classes[predicted], Probability(i, predicted));
        }).ToArray();
    }
}
