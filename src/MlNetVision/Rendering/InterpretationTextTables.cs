using System.Globalization;
using System.Text;
using MlNetVision.Interpretation;

namespace MlNetVision.Rendering;

/// <summary>
/// Plain-text tables of a <see cref="ClassificationInterpretation"/> for consoles and logs: the confusion matrix,
/// the most confused pairs, per-class metrics and the top losses. Numbers use the invariant culture.
/// </summary>
public static class InterpretationTextTables
{
    /// <summary>The confusion matrix with actual classes as rows and predicted classes as columns.</summary>
    /// <param name="interpretation">The interpretation to print.</param>
    /// <param name="normalize">Whether cells show row shares (two decimals) instead of counts.</param>
    /// <returns>The table, one line per actual class after a header line, lines ended by <c>\n</c>.</returns>
    public static string ConfusionMatrix(ClassificationInterpretation interpretation, bool normalize = false)
    {
        ArgumentNullException.ThrowIfNull(interpretation);
        var classes = interpretation.Classes;
        var counts = interpretation.ConfusionMatrix();
        var shares = interpretation.ConfusionMatrixShares();
        var rows = new List<string[]> { new[] { "actual \\ predicted" }.Concat(classes).ToArray() };
        for (int a = 0; a < classes.Count; a++)
        {
            var row = new string[classes.Count + 1];
            row[0] = classes[a];
            for (int p = 0; p < classes.Count; p++)
                row[p + 1] = normalize ? shares[a, p].ToString("F2", CultureInfo.InvariantCulture) : counts[a, p].ToString(CultureInfo.InvariantCulture);
            rows.Add(row);
        }
        return Format(rows, firstColumnLeft: true);
    }

    /// <summary>The most confused pairs (see <see cref="ClassificationInterpretation.MostConfused"/>), largest count first.</summary>
    /// <param name="interpretation">The interpretation to print.</param>
    /// <param name="minVal">The smallest count to list.</param>
    /// <returns>The table with columns actual, predicted and count; a header only when nothing is confused.</returns>
    public static string MostConfused(ClassificationInterpretation interpretation, int minVal = 1)
    {
        ArgumentNullException.ThrowIfNull(interpretation);
        var rows = new List<string[]> { new[] { "actual", "predicted", "count" } };
        rows.AddRange(interpretation.MostConfused(minVal).Select(p => new[] { p.ActualClass, p.PredictedClass, p.Count.ToString(CultureInfo.InvariantCulture) }));
        return Format(rows, firstColumnLeft: true, leftColumns: 2);
    }

    /// <summary>Precision, recall, F1 and support per class, then the accuracy and macro F1.</summary>
    /// <param name="interpretation">The interpretation to print.</param>
    /// <returns>The table, with values to four decimals.</returns>
    public static string PerClassMetrics(ClassificationInterpretation interpretation)
    {
        ArgumentNullException.ThrowIfNull(interpretation);
        var rows = new List<string[]> { new[] { "class", "precision", "recall", "f1", "support" } };
        rows.AddRange(interpretation.PerClassMetrics().Select(m => new[]
            { m.Name, F4(m.Precision), F4(m.Recall), F4(m.F1), m.Support.ToString(CultureInfo.InvariantCulture) }));
        return Format(rows, firstColumnLeft: true)
            + $"accuracy {F4(interpretation.Accuracy())}, macro f1 {F4(interpretation.MacroF1())}, items {interpretation.Count}\n";
    }

    /// <summary>The <paramref name="k"/> largest losses with the item, predicted and actual class and probability of the actual class.</summary>
    /// <param name="interpretation">The interpretation to print.</param>
    /// <param name="k">How many items to list.</param>
    /// <returns>The table; the item column shows the item's path when its image source has one.</returns>
    public static string TopLosses(ClassificationInterpretation interpretation, int k = 9)
    {
        ArgumentNullException.ThrowIfNull(interpretation);
        var rows = new List<string[]> { new[] { "item", "predicted", "actual", "loss", "probability" } };
        rows.AddRange(interpretation.TopLosses(k).Select(t => new[]
        {
            interpretation.Items?.Path(t.Index) is { } d ? Path.GetFileName(d) : t.Index.ToString(CultureInfo.InvariantCulture),
            t.PredictedClass, t.ActualClass, F4(t.Loss), F4(t.ProbabilityOfActual),
        }));
        return Format(rows, firstColumnLeft: true, leftColumns: 3);
    }

    private static string F4(double v) => v.ToString("F4", CultureInfo.InvariantCulture);

    private static string Format(List<string[]> rows, bool firstColumnLeft, int leftColumns = 1)
    {
        int columns = rows[0].Length;
        var widths = Enumerable.Range(0, columns).Select(j => rows.Max(r => r[j].Length)).ToArray();
        var sb = new StringBuilder();
        for (int i = 0; i < rows.Count; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                if (j > 0) sb.Append("  ");
                bool left = firstColumnLeft && j < leftColumns;
                var cell = left ? rows[i][j].PadRight(widths[j]) : rows[i][j].PadLeft(widths[j]);
                sb.Append(j == columns - 1 ? cell.TrimEnd() : cell);
            }
            sb.Append('\n');
            if (i == 0) sb.Append(new string('-', widths.Sum() + 2 * (columns - 1))).Append('\n');
        }
        return sb.ToString();
    }
}
