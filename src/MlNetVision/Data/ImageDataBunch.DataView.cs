using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetVision.Data;

public sealed partial class ImageDataBunch
{
    /// <summary>
    /// Builds a bunch from an ML.NET <see cref="IDataView"/>, split at random by
    /// <see cref="ImageDataBunchOptions.ValidPct"/>. The image column holds either a file path (text, relative paths
    /// resolved against <paramref name="path"/>) or the encoded image bytes (a vector of <see cref="byte"/>); the label
    /// column is text or a key type with key-value names.
    /// </summary>
    /// <param name="data">The rows.</param>
    /// <param name="imageColumn">The column with the image path or bytes.</param>
    /// <param name="labelColumn">The column with the label.</param>
    /// <param name="path">The data root (checkpoints go to <c>path/models</c>); <c>null</c> for the current folder.</param>
    /// <param name="options">How to build it; <c>null</c> for the defaults.</param>
    /// <returns>The bunch; dispose it to free the decoded images.</returns>
    /// <exception cref="ArgumentException">A column is missing or has an unsupported type.</exception>
    /// <exception cref="BadInputException">No usable training image, or bad input under <see cref="ImageDataBunchOptions.Strict"/>.</exception>
    public static ImageDataBunch FromDataView(IDataView data, string imageColumn = "ImagePath", string labelColumn = "Label",
        string? path = null, ImageDataBunchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ImageDataBunchOptions();
        var root = System.IO.Path.GetFullPath(path ?? Directory.GetCurrentDirectory());
        var skipped = new List<SkippedInput>();
        var items = DataViewItems(data, imageColumn, labelColumn, root, skipped);
        var (train, valid) = RandomSplit(items, options.ValidPct, options.Seed);
        return Build(root, train, valid, null, options, skipped);
    }

    /// <summary>
    /// Builds a bunch from two ML.NET <see cref="IDataView"/>s, one for training and one for validation (no random
    /// split), with the columns of <see cref="FromDataView"/>.
    /// </summary>
    /// <param name="train">The training rows.</param>
    /// <param name="valid">The validation rows.</param>
    /// <param name="imageColumn">The column with the image path or bytes, in both views.</param>
    /// <param name="labelColumn">The column with the label, in both views.</param>
    /// <param name="path">The data root (checkpoints go to <c>path/models</c>); <c>null</c> for the current folder.</param>
    /// <param name="options">How to build it; <c>null</c> for the defaults (<see cref="ImageDataBunchOptions.ValidPct"/> is not used).</param>
    /// <returns>The bunch; dispose it to free the decoded images.</returns>
    /// <exception cref="ArgumentException">A column is missing or has an unsupported type.</exception>
    /// <exception cref="BadInputException">No usable training image, or bad input under <see cref="ImageDataBunchOptions.Strict"/>.</exception>
    public static ImageDataBunch FromDataViews(IDataView train, IDataView valid, string imageColumn = "ImagePath", string labelColumn = "Label",
        string? path = null, ImageDataBunchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(valid);
        var root = System.IO.Path.GetFullPath(path ?? Directory.GetCurrentDirectory());
        var skipped = new List<SkippedInput>();
        var trainItems = DataViewItems(train, imageColumn, labelColumn, root, skipped);
        var validItems = DataViewItems(valid, imageColumn, labelColumn, root, skipped);
        return Build(root, trainItems, validItems, null, options, skipped);
    }

    /// <summary>Reads every row of a data view: the image as a path (resolved against <paramref name="root"/>) or encoded bytes, the label as text.</summary>
    private static List<RawItem> DataViewItems(IDataView data, string imageColumn, string labelColumn, string root, List<SkippedInput> skipped)
    {
        var image = data.Schema.GetColumnOrNull(imageColumn) ?? throw new ArgumentException($"No column '{imageColumn}'.", nameof(imageColumn));
        var label = data.Schema.GetColumnOrNull(labelColumn) ?? throw new ArgumentException($"No column '{labelColumn}'.", nameof(labelColumn));
        var isText = image.Type is TextDataViewType;
        var isBytes = image.Type is VectorDataViewType { ItemType: NumberDataViewType n } && n.RawType == typeof(byte);
        if (!isText && !isBytes) throw new ArgumentException($"Column '{imageColumn}' must be text (a path) or a vector of bytes, not {image.Type}.", nameof(imageColumn));
        var labelText = LabelReader(label);

        var items = new List<RawItem>();
        using var cursor = data.GetRowCursor([image, label]);
        var textGetter = isText ? cursor.GetGetter<ReadOnlyMemory<char>>(image) : null;
        var bytesGetter = isBytes ? cursor.GetGetter<VBuffer<byte>>(image) : null;
        var getLabel = labelText(cursor);
        ReadOnlyMemory<char> text = default;
        VBuffer<byte> bytes = default;
        var row = 0L;
        while (cursor.MoveNext())
        {
            var name = $"dataview:row/{row++}";
            var lbl = getLabel();
            ImageSource source;
            if (textGetter is not null)
            {
                textGetter(ref text);
                var p = text.ToString().Trim();
                if (p.Length == 0) { skipped.Add(new SkippedInput(name, "empty image path")); continue; }
                source = ImageSource.FromFile(System.IO.Path.GetFullPath(p, root));
            }
            else
            {
                bytesGetter!(ref bytes);
                source = ImageSource.FromBytes(name, bytes.DenseValues().ToArray());
            }
            if (string.IsNullOrWhiteSpace(lbl)) { skipped.Add(new SkippedInput(source.Name, "missing label")); continue; }
            items.Add(new RawItem(source, lbl));
        }
        return items;
    }

    /// <summary>A factory of per-cursor label readers that return the label as text.</summary>
    private static Func<DataViewRowCursor, Func<string?>> LabelReader(DataViewSchema.Column label)
    {
        switch (label.Type)
        {
            case TextDataViewType:
                return cursor =>
                {
                    var getter = cursor.GetGetter<ReadOnlyMemory<char>>(label);
                    ReadOnlyMemory<char> value = default;
                    return () => { getter(ref value); return value.ToString(); };
                };
            case KeyDataViewType key when key.RawType == typeof(uint):
            {
                VBuffer<ReadOnlyMemory<char>> names = default;
                if (label.Annotations.Schema.GetColumnOrNull("KeyValues") is null)
                    throw new ArgumentException($"Key column '{label.Name}' has no key-value names.", nameof(label));
                label.GetKeyValues(ref names);
                var values = names.DenseValues().Select(v => v.ToString()).ToArray();
                return cursor =>
                {
                    var getter = cursor.GetGetter<uint>(label);
                    uint value = 0;
                    return () => { getter(ref value); return value == 0 || value > values.Length ? null : values[value - 1]; };
                };
            }
            default:
                throw new ArgumentException($"Label column '{label.Name}' must be text or a key type, not {label.Type}.", nameof(label));
        }
    }
}
