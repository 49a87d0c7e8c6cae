using MlNetVision.Rendering;

namespace MlNetVision.Interpretation;

/// <summary>
/// What a trained classifier got right and wrong on a set of items, as numbers: the largest losses, the confusion
/// matrix, the most confused pairs of classes and per-class precision, recall and F1 (fastai's
/// <c>ClassificationInterpretation</c>). Pictures and text tables are drawn from it by
/// <see cref="TopLossesPlot"/>, <see cref="ConfusionMatrixPlot"/> and <see cref="InterpretationTextTables"/>.
/// </summary>
/// <remarks>
/// Build it with <see cref="FromPredictions(IReadOnlyList{string}, float[][], int[], float[], ItemImageSource)"/>
/// from managed arrays (what a learner's <c>GetPreds</c> returns), or with
/// <see cref="FromDataView(Microsoft.ML.IDataView, InterpretationColumns, CancellationToken)"/> from an ML.NET scored data view.
/// </remarks>
public sealed partial class ClassificationInterpretation
{
    /// <summary>The smallest probability used when a loss is computed as −log p, so that p = 0 gives a finite loss (ML.NET's log-loss clamp).</summary>
    public const double MinProbability = 1e-15;

    private readonly float[] _probs; // n × C, row-major
    private readonly int[] _targets;
    private readonly int[] _predicted;
    private readonly float[] _losses;
    private int[,]? _confusion;

    /// <summary>Creates an interpretation from per-item class probabilities and targets.</summary>
    /// <param name="classes">The class names; index <c>c</c> names column <c>c</c> of the probabilities.</param>
    /// <param name="probabilities">Row-major probabilities, <c>items × classes</c> values.</param>
    /// <param name="targets">The actual class index of each item.</param>
    /// <param name="losses">The loss of each item; when null, the cross-entropy −log p[target] (p clamped at <see cref="MinProbability"/>).</param>
    /// <param name="items">Where the items' images come from, for the top-losses plot; optional.</param>
    /// <param name="predicted">The predicted class of each item; when null, the arg max of its probabilities (first on ties).</param>
    /// <exception cref="ArgumentException">The lengths disagree, a target or prediction is out of range, or there are no classes.</exception>
    private ClassificationInterpretation(IReadOnlyList<string> classes, float[] probabilities, int[] targets, float[]? losses,
        ItemImageSource? items, int[]? predicted)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(targets);
        if (classes.Count == 0) throw new ArgumentException("There must be at least one class.", nameof(classes));
        int n = targets.Length, c = classes.Count;
        if (probabilities.Length != n * c)
            throw new ArgumentException($"Expected {n} × {c} probabilities (items × classes), got {probabilities.Length} values.", nameof(probabilities));
        if (losses is not null && losses.Length != n)
            throw new ArgumentException($"Expected {n} losses, got {losses.Length}.", nameof(losses));
        if (items is not null && items.Count != n)
            throw new ArgumentException($"Expected images for {n} items, the source has {items.Count}.", nameof(items));
        if (predicted is not null && predicted.Length != n)
            throw new ArgumentException($"Expected {n} predictions, got {predicted.Length}.", nameof(predicted));
        for (int i = 0; i < n; i++)
        {
            if ((uint)targets[i] >= (uint)c)
                throw new ArgumentException(targets[i] < 0
                    ? $"Item {i} has no label (target {targets[i]}): only labelled items (a validation split, not a test split) can be interpreted."
                    : $"Target {targets[i]} of item {i} is not a class index in 0..{c - 1}.", nameof(targets));
            if (predicted is not null && (uint)predicted[i] >= (uint)c)
                throw new ArgumentException($"Prediction {predicted[i]} of item {i} is not a class index in 0..{c - 1}.", nameof(predicted));
        }

        Classes = classes.ToArray();
        Items = items;
        _probs = probabilities;
        _targets = targets.ToArray();
        _predicted = predicted?.ToArray() ?? ArgMaxRows(probabilities, n, c);
        _losses = losses?.ToArray() ?? CrossEntropy(probabilities, _targets, c);
    }

    /// <summary>The class names, in class-index order.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>How many items are interpreted.</summary>
    public int Count => _targets.Length;

    /// <summary>Where the items' images come from, or null when none was given (the top-losses plot then cannot be drawn).</summary>
    public ItemImageSource? Items { get; }

    /// <summary>The actual class index of each item.</summary>
    public IReadOnlyList<int> Targets => _targets;

    /// <summary>The predicted class index of each item.</summary>
    public IReadOnlyList<int> Predicted => _predicted;

    /// <summary>The loss of each item.</summary>
    public IReadOnlyList<float> Losses => _losses;

    /// <summary>The probability the model gave to class <paramref name="classIndex"/> for item <paramref name="item"/>.</summary>
    public float Probability(int item, int classIndex)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)item, (uint)Count, nameof(item));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)classIndex, (uint)Classes.Count, nameof(classIndex));
        return _probs[item * Classes.Count + classIndex];
    }

    /// <summary>Creates an interpretation from jagged probabilities (<c>probabilities[item][class]</c>).</summary>
    /// <param name="classes">The class names; index <c>c</c> names column <c>c</c> of the probabilities.</param>
    /// <param name="probabilities">One row of class probabilities per item.</param>
    /// <param name="targets">The actual class index of each item.</param>
    /// <param name="losses">The loss of each item; when null, the cross-entropy −log p[target] (p clamped at <see cref="MinProbability"/>).</param>
    /// <param name="items">Where the items' images come from, for the top-losses plot; optional.</param>
    /// <returns>The interpretation; predictions are the arg max of each row.</returns>
    /// <exception cref="ArgumentException">The lengths disagree or a target is out of range.</exception>
    public static ClassificationInterpretation FromPredictions(IReadOnlyList<string> classes, float[][] probabilities, int[] targets,
        float[]? losses = null, ItemImageSource? items = null)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(probabilities);
        int c = classes.Count;
        var flat = new float[probabilities.Length * c];
        for (int i = 0; i < probabilities.Length; i++)
        {
            var row = probabilities[i] ?? throw new ArgumentException($"Row {i} of the probabilities is null.", nameof(probabilities));
            if (row.Length != c) throw new ArgumentException($"Row {i} has {row.Length} probabilities, expected {c} (one per class).", nameof(probabilities));
            row.CopyTo(flat, i * c);
        }
        if (probabilities.Length != (targets?.Length ?? 0))
            throw new ArgumentException($"{probabilities.Length} rows of probabilities but {targets?.Length ?? 0} targets.", nameof(targets));
        return new ClassificationInterpretation(classes, flat, targets!, losses, items, null);
    }

    /// <summary>Creates an interpretation from a rectangular array of probabilities (<c>probabilities[item, class]</c>).</summary>
    /// <inheritdoc cref="FromPredictions(IReadOnlyList{string}, float[][], int[], float[], ItemImageSource)"/>
    public static ClassificationInterpretation FromPredictions(IReadOnlyList<string> classes, float[,] probabilities, int[] targets,
        float[]? losses = null, ItemImageSource? items = null)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(probabilities);
        if (probabilities.GetLength(1) != classes.Count)
            throw new ArgumentException($"The probabilities have {probabilities.GetLength(1)} columns, expected {classes.Count} (one per class).", nameof(probabilities));
        if (probabilities.GetLength(0) != (targets?.Length ?? 0))
            throw new ArgumentException($"{probabilities.GetLength(0)} rows of probabilities but {targets?.Length ?? 0} targets.", nameof(targets));
        var flat = new float[probabilities.Length];
        Buffer.BlockCopy(probabilities, 0, flat, 0, flat.Length * sizeof(float));
        return new ClassificationInterpretation(classes, flat, targets!, losses, items, null);
    }

    /// <summary>
    /// Creates an interpretation from row-major probabilities (<c>items × classes</c> values), the layout a learner's
    /// <c>GetPreds</c> produces when it copies a <c>[N, C]</c> tensor out.
    /// </summary>
    /// <param name="classes">The class names; index <c>c</c> names column <c>c</c> of the probabilities.</param>
    /// <param name="probabilities">Row-major probabilities, <c>items × classes</c> values.</param>
    /// <param name="targets">The actual class index of each item.</param>
    /// <param name="losses">The loss of each item; when null, the cross-entropy −log p[target] (p clamped at <see cref="MinProbability"/>).</param>
    /// <param name="items">Where the items' images come from, for the top-losses plot; optional.</param>
    /// <param name="predicted">The predicted class of each item; when null, the arg max of its probabilities.</param>
    /// <returns>The interpretation.</returns>
    /// <exception cref="ArgumentException">The lengths disagree or an index is out of range.</exception>
    public static ClassificationInterpretation FromFlatPredictions(IReadOnlyList<string> classes, float[] probabilities, int[] targets,
        float[]? losses = null, ItemImageSource? items = null, int[]? predicted = null)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        return new ClassificationInterpretation(classes, probabilities.ToArray(), targets, losses, items, predicted);
    }

    /// <summary>
    /// The <paramref name="k"/> items with the largest losses (or the smallest when <paramref name="largest"/> is false),
    /// all items when <paramref name="k"/> is null; ties keep item order.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is negative.</exception>
    public IReadOnlyList<TopLoss> TopLosses(int? k = null, bool largest = true)
    {
        if (k is < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must not be negative.");
        var order = Enumerable.Range(0, Count);
        order = largest ? order.OrderByDescending(i => _losses[i]) : order.OrderBy(i => _losses[i]);
        return order.Take(k ?? Count).Select(i => new TopLoss(i, _losses[i], _predicted[i], _targets[i],
            Classes[_predicted[i]], Classes[_targets[i]], _probs[i * Classes.Count + _targets[i]])).ToArray();
    }

    /// <summary>The confusion matrix: <c>[actual, predicted]</c> item counts, <c>classes × classes</c>.</summary>
    /// <returns>A new array the caller may change.</returns>
    public int[,] ConfusionMatrix() => (int[,])Confusion().Clone();

    /// <summary>
    /// The confusion matrix with each row divided by its total (the share of each actual class predicted as each class,
    /// fastai's <c>normalize=True</c>); rows of classes without items are all 0.
    /// </summary>
    public double[,] ConfusionMatrixShares()
    {
        var cm = Confusion();
        int c = Classes.Count;
        var shares = new double[c, c];
        for (int a = 0; a < c; a++)
        {
            long total = 0;
            for (int p = 0; p < c; p++) total += cm[a, p];
            if (total == 0) continue;
            for (int p = 0; p < c; p++) shares[a, p] = cm[a, p] / (double)total;
        }
        return shares;
    }

    /// <summary>
    /// The off-diagonal cells of the confusion matrix with at least <paramref name="minVal"/> items, largest count
    /// first (ties by actual, then predicted class index).
    /// </summary>
    /// <param name="minVal">The smallest count to list; fastai's default is 1.</param>
    public IReadOnlyList<ConfusedPair> MostConfused(int minVal = 1)
    {
        var cm = Confusion();
        int c = Classes.Count;
        var pairs = new List<ConfusedPair>();
        for (int a = 0; a < c; a++)
            for (int p = 0; p < c; p++)
                if (a != p && cm[a, p] >= minVal && cm[a, p] > 0)
                    pairs.Add(new ConfusedPair(a, p, Classes[a], Classes[p], cm[a, p]));
        return pairs.OrderByDescending(x => x.Count).ThenBy(x => x.Actual).ThenBy(x => x.Predicted).ToArray();
    }

    /// <summary>Precision, recall, F1 and support of every class, one-versus-rest, in class-index order.</summary>
    public IReadOnlyList<ClassMetrics> PerClassMetrics()
    {
        var cm = Confusion();
        int c = Classes.Count;
        var result = new ClassMetrics[c];
        for (int k = 0; k < c; k++)
        {
            int support = 0, predictedAs = 0;
            for (int j = 0; j < c; j++) { support += cm[k, j]; predictedAs += cm[j, k]; }
            int tp = cm[k, k];
            double precision = predictedAs == 0 ? 0 : tp / (double)predictedAs;
            double recall = support == 0 ? 0 : tp / (double)support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            result[k] = new ClassMetrics(k, Classes[k], precision, recall, f1, support);
        }
        return result;
    }

    /// <summary>The share of items whose prediction equals their target; 0 when there are no items.</summary>
    public double Accuracy()
    {
        if (Count == 0) return 0;
        int right = 0;
        for (int i = 0; i < Count; i++) if (_predicted[i] == _targets[i]) right++;
        return right / (double)Count;
    }

    /// <summary>The mean of the per-item losses; 0 when there are no items.</summary>
    public double MeanLoss() => Count == 0 ? 0 : _losses.Average(l => (double)l);

    /// <summary>The unweighted mean of the per-class F1 scores (macro F1).</summary>
    public double MacroF1() => PerClassMetrics().Average(m => m.F1);

    private int[,] Confusion()
    {
        if (_confusion is not null) return _confusion;
        int c = Classes.Count;
        var cm = new int[c, c];
        for (int i = 0; i < Count; i++) cm[_targets[i], _predicted[i]]++;
        return _confusion = cm;
    }

    private static int[] ArgMaxRows(float[] probs, int n, int c)
    {
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            var row = probs.AsSpan(i * c, c);
            int best = 0;
            for (int j = 1; j < c; j++) if (row[j] > row[best]) best = j;
            result[i] = best;
        }
        return result;
    }

    private static float[] CrossEntropy(float[] probs, int[] targets, int c)
    {
        var losses = new float[targets.Length];
        for (int i = 0; i < targets.Length; i++)
            losses[i] = (float)-Math.Log(Math.Max(probs[i * c + targets[i]], MinProbability));
        return losses;
    }
}
