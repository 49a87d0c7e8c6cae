using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Image;
using MlNetVision.Onnx;
using Onnx;

namespace MlNetVision.MlNet;

/// <summary>
/// Builds the ML.NET model that scores images with an ONNX file written by <see cref="OnnxExporter"/> in the
/// <see cref="OnnxBatchLayout.SingleImage"/> layout — made of ML.NET's own transformers only, so
/// <c>mlContext.Model.Save</c>/<c>Load</c> work and the saved zip runs in an app that references nothing but
/// Microsoft.ML, Microsoft.ML.ImageAnalytics, Microsoft.ML.OnnxTransformer and Microsoft.ML.OnnxRuntime.
/// </summary>
/// <remarks>
/// The chain is <c>LoadImages → ResizeImages (IsoCrop, centre) → ExtractPixels (defaults: planar RGB 0..255) →
/// ApplyOnnxModel → CopyColumns (probabilities → Score) → Hash (combine) → ConvertType → MapValue (index →
/// PredictedLabel key, class names as key values) → DropColumns</c> (the intermediate columns). Score index <c>i</c> is class <c>classNames[i]</c>, which is
/// key <c>i + 1</c> of <c>PredictedLabel</c>.
/// </remarks>
public static class OnnxScoringPipeline
{
    private const string ImageTemp = "__MlNetVision_Image";
    private const string IndexKeyTemp = "__MlNetVision_IndexKey";

    /// <summary>Creates the scoring transformer over <paramref name="onnxPath"/>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="onnxPath">An ONNX file exported with <see cref="OnnxBatchLayout.SingleImage"/> and a fixed <paramref name="imageSize"/>.
    /// Its bytes are handed to ML.NET as a stream (ML.NET keeps its own copy), so the file may be deleted afterwards.</param>
    /// <param name="classNames">Class names in the network's output order.</param>
    /// <param name="imageSize">The square side images are resized to; must match the size the ONNX file declares.</param>
    /// <param name="imageColumnName">The input column: text, a path to an image file.</param>
    /// <param name="imageFolder">Folder relative paths are resolved against; <see langword="null"/> for paths as they are.</param>
    /// <param name="scoreColumnName">The output column with the class probabilities (vector of float).</param>
    /// <param name="predictedLabelColumnName">The output key column with the predicted class (key values: <paramref name="classNames"/>).</param>
    /// <returns>A fitted chain of ML.NET transformers.</returns>
    /// <exception cref="ArgumentException">The ONNX file does not have the single-image layout, or its size or class count differs.</exception>
    public static TransformerChain<ITransformer> Create(MLContext mlContext, string onnxPath, IReadOnlyList<string> classNames, int imageSize,
        string imageColumnName = "ImagePath", string? imageFolder = null, string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel")
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(classNames);
        var (input, probabilities, index) = ReadSignature(onnxPath, classNames.Count, imageSize);

        var indexKey = new HashingEstimator.ColumnOptions(IndexKeyTemp, index, numberOfBits: 31, combine: true);
        var lookup = IndexKeys(mlContext, indexKey, classNames.Count).Select((key, i) => new KeyValuePair<uint, string>(key, classNames[i])).ToList();
        using var onnxBytes = File.OpenRead(onnxPath);
        var pipeline = mlContext.Transforms.LoadImages(ImageTemp, imageFolder, imageColumnName)
            .Append(mlContext.Transforms.ResizeImages(ImageTemp, imageSize, imageSize, ImageTemp, ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center))
            .Append(mlContext.Transforms.ExtractPixels(input, ImageTemp))
            .Append(mlContext.Transforms.ApplyOnnxModel([probabilities, index], [input], onnxBytes))
            .Append(mlContext.Transforms.CopyColumns(scoreColumnName, probabilities))
            .Append(mlContext.Transforms.Conversion.Hash(indexKey))
            .Append(mlContext.Transforms.Conversion.ConvertType(IndexKeyTemp, IndexKeyTemp, DataKind.UInt32))
            .Append(mlContext.Transforms.Conversion.MapValue(predictedLabelColumnName, lookup, IndexKeyTemp, treatValuesAsKeyType: true))
            .Append(mlContext.Transforms.DropColumns(new[] { ImageTemp, input, probabilities, index, IndexKeyTemp }.Where(c => c != scoreColumnName && c != predictedLabelColumnName).ToArray()));

        var schemaOnly = mlContext.Data.LoadFromEnumerable(Array.Empty<PathRow>(), PathRow.Schema(imageColumnName));
        return new TransformerChain<ITransformer>(pipeline.Fit(schemaOnly).ToArray());
    }

    /// <summary>
    /// ML.NET's ONNX transformer gives the index as a one-element vector, and no stock transformer turns a vector into a
    /// scalar except hashing with <c>combine</c>. So the index is hashed to a scalar, and the hash of each class index —
    /// computed here by the same transform, never re-implemented — is looked up to the class name.
    /// </summary>
    private static uint[] IndexKeys(MLContext mlContext, HashingEstimator.ColumnOptions indexKey, int classCount)
    {
        var rows = Enumerable.Range(0, classCount).Select(i => new IndexRow { Index = [i] }).ToList();
        var schema = SchemaDefinition.Create(typeof(IndexRow));
        schema[0].ColumnName = indexKey.InputColumnName;
        var data = mlContext.Data.LoadFromEnumerable(rows, schema);
        var hashed = mlContext.Transforms.Conversion.Hash(indexKey)
            .Append(mlContext.Transforms.Conversion.ConvertType(indexKey.Name, indexKey.Name, DataKind.UInt32)).Fit(data).Transform(data);
        var keys = hashed.GetColumn<uint>(indexKey.Name).ToArray();
        if (keys.Distinct().Count() != keys.Length) throw new InvalidOperationException("Two class indices hash to the same key; this cannot happen with 31 bits and a few thousand classes.");
        return keys;
    }

    /// <summary>Checks the ONNX file has the single-image layout and returns its input and output names.</summary>
    private static (string Input, string Probabilities, string Index) ReadSignature(string onnxPath, int classCount, int imageSize)
    {
        if (!File.Exists(onnxPath)) throw new FileNotFoundException($"ONNX file '{onnxPath}' not found.", onnxPath);
        GraphProto graph;
        using (var stream = File.OpenRead(onnxPath)) graph = ModelProto.Parser.ParseFrom(stream).Graph;
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet();
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        long[] Dims(ValueInfoProto v) => v.Type.TensorType.Shape?.Dim.Select(d => d.HasDimValue ? d.DimValue : -1).ToArray() ?? [];
        string Fail(string what) => throw new ArgumentException(
            $"'{onnxPath}' {what}. Export it with OnnxExporter and BatchLayout = SingleImage, Height = Width = {imageSize}.", nameof(onnxPath));

        if (inputs.Count != 1) Fail($"has {inputs.Count} inputs, expected one");
        if (!Dims(inputs[0]).SequenceEqual([1, 3, imageSize, imageSize])) Fail($"takes [{string.Join(", ", Dims(inputs[0]))}], expected [1, 3, {imageSize}, {imageSize}]");
        var probabilities = graph.Output.FirstOrDefault(o => o.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.Float);
        var index = graph.Output.FirstOrDefault(o => o.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.Int64);
        if (probabilities is null || index is null) Fail("lacks a float probabilities output and an int64 index output");
        if (!Dims(probabilities!).SequenceEqual([classCount])) Fail($"outputs [{string.Join(", ", Dims(probabilities!))}] probabilities for {classCount} classes");
        if (!Dims(index!).SequenceEqual([1])) Fail($"outputs the index as [{string.Join(", ", Dims(index!))}], expected [1]");
        return (inputs[0].Name, probabilities!.Name, index!.Name);
    }

    /// <summary>A row with a one-element index vector, as the ONNX transformer produces it.</summary>
    private sealed class IndexRow
    {
        [VectorType(1)]
        public long[] Index { get; set; } = [];
    }

    /// <summary>A row with one text column, to give the trivial estimators an input schema to fit on.</summary>
    private sealed class PathRow
    {
        public string Path { get; set; } = "";

        public static SchemaDefinition Schema(string columnName)
        {
            var schema = SchemaDefinition.Create(typeof(PathRow));
            schema[0].ColumnName = columnName;
            return schema;
        }
    }
}
