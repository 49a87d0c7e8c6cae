using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetVision.Interpretation;

public sealed partial class ClassificationInterpretation
{
    /// <summary>
    /// Creates an interpretation from an ML.NET multiclass scored data view (the output of a trained model's
    /// <c>Transform</c>): a label key column, a <c>Score</c> vector of probabilities, a predicted-label key column and
    /// optionally an image-path or image-bytes column. Rows with a missing label are skipped.
    /// </summary>
    /// <param name="scored">The scored data view.</param>
    /// <param name="columns">Which columns to read; null for ML.NET's defaults (<c>Label</c>, <c>Score</c>, <c>PredictedLabel</c>, <c>ImagePath</c>).</param>
    /// <param name="cancellationToken">Stops reading between rows (scoring happens as the view is read).</param>
    /// <returns>The interpretation; losses are −log of the score of the actual class, as in ML.NET's log-loss.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ArgumentException">A column is missing or has an unsupported type, or class names cannot be found.</exception>
    /// <remarks>
    /// Class names come from the label's key values, else the score column's slot names, else the predicted
    /// label's key values. Score slot <c>c</c> belongs to key value <c>c + 1</c>, ML.NET's convention.
    /// </remarks>
    public static ClassificationInterpretation FromDataView(IDataView scored, InterpretationColumns? columns = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scored);
        columns ??= new InterpretationColumns();
        var schema = scored.Schema;
        var label = RequireColumn(schema, columns.LabelColumnName, "label");
        var score = RequireColumn(schema, columns.ScoreColumnName, "score");
        if (score.Type is not VectorDataViewType { ItemType: NumberDataViewType itemType } scoreType || itemType.RawType != typeof(float) || scoreType.Size == 0)
            throw new ArgumentException($"The score column '{score.Name}' must be a known-size vector of Single, not {score.Type}.", nameof(scored));
        int classCount = scoreType.Size;
        var predictedColumn = schema.GetColumnOrNull(columns.PredictedLabelColumnName);
        var classes = ClassNames(label, score, predictedColumn, classCount);
        var classIndex = classes.Select((name, i) => (name, i)).GroupBy(x => x.name).ToDictionary(g => g.Key, g => g.First().i);

        DataViewSchema.Column? pathColumn = null, bytesColumn = null;
        if (columns.ImageBytesColumnName is { } bytesName && schema.GetColumnOrNull(bytesName) is { } b)
        {
            if (b.Type is not VectorDataViewType { ItemType: NumberDataViewType bt } || bt.RawType != typeof(byte))
                throw new ArgumentException($"The image bytes column '{bytesName}' must be a vector of Byte, not {b.Type}.", nameof(columns));
            bytesColumn = b;
        }
        else if (schema.GetColumnOrNull(columns.ImagePathColumnName) is { } p)
        {
            if (p.Type is not TextDataViewType)
                throw new ArgumentException($"The image path column '{p.Name}' must be text, not {p.Type}.", nameof(columns));
            pathColumn = p;
        }

        var active = new List<DataViewSchema.Column> { label, score };
        if (predictedColumn is { } pc) active.Add(pc);
        if (pathColumn is { } pa) active.Add(pa);
        if (bytesColumn is { } by) active.Add(by);

        var probs = new List<float>();
        var targets = new List<int>();
        var predicted = predictedColumn is null ? null : new List<int>();
        var paths = pathColumn is null ? null : new List<string>();
        var images = bytesColumn is null ? null : new List<byte[]>();
        using (var cursor = scored.GetRowCursor(active))
        {
            var readLabel = ClassReader(cursor, label, classIndex, "label");
            var readPredicted = predictedColumn is { } pcol ? ClassReader(cursor, pcol, classIndex, "predicted label") : null;
            var scoreGetter = cursor.GetGetter<VBuffer<float>>(score);
            var pathGetter = pathColumn is { } pth ? cursor.GetGetter<ReadOnlyMemory<char>>(pth) : null;
            var bytesGetter = bytesColumn is { } byt ? cursor.GetGetter<VBuffer<byte>>(byt) : null;
            VBuffer<float> scores = default;
            ReadOnlyMemory<char> path = default;
            VBuffer<byte> bytes = default;
            while (cursor.MoveNext())
            {
                cancellationToken.ThrowIfCancellationRequested();
                int target = readLabel();
                if (target < 0) continue; // missing label: ML.NET's evaluators skip these rows too
                scoreGetter(ref scores);
                foreach (var v in scores.DenseValues()) probs.Add(v);
                targets.Add(target);
                if (readPredicted is not null)
                {
                    int p = readPredicted();
                    predicted!.Add(p >= 0 ? p : ArgMax(scores));
                }
                if (pathGetter is not null)
                {
                    pathGetter(ref path);
                    var s = path.ToString();
                    paths!.Add(columns.ImageFolder is null ? Path.GetFullPath(s) : Path.GetFullPath(Path.Combine(columns.ImageFolder, s)));
                }
                if (bytesGetter is not null)
                {
                    bytesGetter(ref bytes);
                    images!.Add(bytes.DenseValues().ToArray());
                }
            }
        }

        var items = paths is not null ? ItemImageSource.FromPaths(paths) : images is not null ? ItemImageSource.FromEncodedBytes(images) : null;
        return new ClassificationInterpretation(classes, probs.ToArray(), targets.ToArray(), null, items, predicted?.ToArray());
    }

    private static DataViewSchema.Column RequireColumn(DataViewSchema schema, string name, string role) =>
        schema.GetColumnOrNull(name) ?? throw new ArgumentException(
            $"The scored data view has no {role} column '{name}'. Its columns are: {string.Join(", ", schema.Select(c => c.Name))}.", nameof(schema));

    private static string[] ClassNames(DataViewSchema.Column label, DataViewSchema.Column score, DataViewSchema.Column? predicted, int classCount)
    {
        if (KeyValues(label, classCount) is { } fromLabel) return fromLabel;
        if (score.Annotations.Schema.GetColumnOrNull("SlotNames") is { Type: VectorDataViewType { Size: var size, ItemType: TextDataViewType } }
            && size == classCount)
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            score.GetSlotNames(ref names);
            return names.DenseValues().Select(v => v.ToString()).ToArray();
        }
        if (predicted is { } p && KeyValues(p, classCount) is { } fromPredicted) return fromPredicted;
        throw new ArgumentException(
            $"Cannot find the {classCount} class names: neither the label '{label.Name}' key values, the score '{score.Name}' slot names nor the predicted label key values list them.");
    }

    private static string[]? KeyValues(DataViewSchema.Column column, int classCount)
    {
        if (column.Type is not KeyDataViewType || !column.HasKeyValues()) return null;
        VBuffer<ReadOnlyMemory<char>> values = default;
        column.GetKeyValues(ref values);
        return values.Length == classCount ? values.DenseValues().Select(v => v.ToString()).ToArray() : null;
    }

    /// <summary>Returns a reader of the class index of the current row (−1 for a missing value).</summary>
    private static Func<int> ClassReader(DataViewRowCursor cursor, DataViewSchema.Column column, Dictionary<string, int> classIndex, string role)
    {
        switch (column.Type)
        {
            case KeyDataViewType key when key.RawType == typeof(uint):
            {
                var getter = cursor.GetGetter<uint>(column);
                uint value = 0;
                return () => { getter(ref value); return (int)value - 1; };
            }
            case TextDataViewType:
            {
                var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
                ReadOnlyMemory<char> value = default;
                return () =>
                {
                    getter(ref value);
                    if (value.IsEmpty) return -1;
                    var s = value.ToString();
                    return classIndex.TryGetValue(s, out var i) ? i
                        : throw new InvalidDataException($"The {role} '{s}' is not one of the classes: {string.Join(", ", classIndex.Keys)}.");
                };
            }
            default:
                throw new ArgumentException($"The {role} column '{column.Name}' must be a UInt32 key or text, not {column.Type}.");
        }
    }

    private static int ArgMax(VBuffer<float> scores)
    {
        int best = 0, i = 0;
        float bestValue = float.NegativeInfinity;
        foreach (var v in scores.DenseValues())
        {
            if (v > bestValue) { bestValue = v; best = i; }
            i++;
        }
        return best;
    }
}
