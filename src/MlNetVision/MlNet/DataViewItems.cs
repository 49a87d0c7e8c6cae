using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.Data;

namespace MlNetVision.MlNet;

/// <summary>Reads (image, label) items from an ML.NET data view, for a bunch whose validation rows come from a second view.</summary>
internal static class DataViewItems
{
    /// <summary>Reads every row: the image as a path (text, relative to <paramref name="root"/>) or encoded bytes, the label as its key value.</summary>
    public static List<ImageDataBunch.RawItem> Read(IDataView data, string imageColumn, string labelColumn, string root, List<SkippedInput> skipped)
    {
        var image = data.Schema.GetColumnOrNull(imageColumn) ?? throw new ArgumentException($"No column '{imageColumn}'.", nameof(imageColumn));
        var label = data.Schema.GetColumnOrNull(labelColumn) ?? throw new ArgumentException($"No column '{labelColumn}'.", nameof(labelColumn));
        if (label.Type is not KeyDataViewType) throw new ArgumentException($"Label column '{labelColumn}' must be a key type.", nameof(labelColumn));
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        label.GetKeyValues(ref keyValues);
        var names = keyValues.DenseValues().Select(v => v.ToString()).ToArray();

        var items = new List<ImageDataBunch.RawItem>();
        using var cursor = data.GetRowCursor([image, label]);
        var getLabel = cursor.GetGetter<uint>(label);
        var getPath = image.Type is TextDataViewType ? cursor.GetGetter<ReadOnlyMemory<char>>(image) : null;
        var getBytes = getPath is null ? cursor.GetGetter<VBuffer<byte>>(image) : null;
        ReadOnlyMemory<char> path = default;
        VBuffer<byte> bytes = default;
        uint key = 0;
        long row = 0;
        while (cursor.MoveNext())
        {
            var name = $"dataview:row/{row++}";
            getLabel(ref key);
            ImageSource source;
            if (getPath is not null)
            {
                getPath(ref path);
                var p = path.ToString().Trim();
                if (p.Length == 0) { skipped.Add(new SkippedInput(name, "empty image path")); continue; }
                source = ImageSource.FromFile(Path.GetFullPath(p, root));
            }
            else
            {
                getBytes!(ref bytes);
                source = ImageSource.FromBytes(name, bytes.DenseValues().ToArray());
            }
            if (key == 0 || key > names.Length) { skipped.Add(new SkippedInput(source.Name, "missing label")); continue; }
            items.Add(new ImageDataBunch.RawItem(source, names[key - 1]));
        }
        return items;
    }
}
