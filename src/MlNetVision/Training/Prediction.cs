namespace MlNetVision.Training;

/// <summary>The prediction for one image (fastai <c>learn.predict</c>: category, index, probabilities).</summary>
/// <param name="Class">The predicted class name.</param>
/// <param name="Index">The predicted class index.</param>
/// <param name="Probabilities">Softmax probability of each class, index order.</param>
public sealed record Prediction(string Class, int Index, float[] Probabilities)
{
    /// <summary>The class names, index order (what <see cref="TopK"/> names the classes with); empty when not known.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>The <paramref name="k"/> most probable classes, most probable first (ties: lower index first); fewer when there are fewer classes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is not positive.</exception>
    public IReadOnlyList<ClassProbability> TopK(int k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        return Enumerable.Range(0, Probabilities.Length)
            .OrderByDescending(i => Probabilities[i]).ThenBy(i => i)
            .Take(k)
            .Select(i => new ClassProbability(i < ClassNames.Count ? ClassNames[i] : i.ToString(System.Globalization.CultureInfo.InvariantCulture), i, Probabilities[i]))
            .ToArray();
    }
}
