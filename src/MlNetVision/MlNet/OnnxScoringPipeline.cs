using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Image;
using MlNetVision.Data;
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
/// The chain is <c>[LoadImages] → ResizeImages → ExtractPixels → ApplyOnnxModel → CopyColumns (probabilities → Score) →
/// Hash (combine) → ConvertType → MapValue (index → PredictedLabel key, class names as key values) → DropColumns</c> (the
/// intermediate columns). <c>LoadImages</c> is there for <see cref="ScoringImageInput.Path"/> only. <c>ResizeImages</c>
/// follows the training <see cref="ResizeMethod"/> (Crop = IsoCrop centre, Pad = IsoPad, Squish = Fill), and
/// <c>ExtractPixels</c> takes alpha too when the network was exported with <see cref="OnnxPixelInput.PremultipliedArgb"/>:
/// then every image is seen as the learner saw it (docs/MLNET.md has the table). Score index <c>i</c> is class
/// <c>classNames[i]</c>, which is key <c>i + 1</c> of <c>PredictedLabel</c>.
/// </remarks>
public static class OnnxScoringPipeline
{
    private const string ImageTemp = "__MlNetVision_Image";
    private const string IndexKeyTemp = "__MlNetVision_IndexKey";

    /// <summary>Creates the scoring transformer over <paramref name="onnxPath"/>.</summary>
    /// <param name="mlContext">The ML.NET context.</param>
    /// <param name="onnxPath">An ONNX file exported with <see cref="OnnxBatchLayout.SingleImage"/> and a fixed <paramref name="imageSize"/>.
    /// ML.NET keeps its own copy of its bytes, so the file may be deleted afterwards. Dispose the returned chain when done:
    /// that deletes ML.NET's temporary copy, as it does for a model loaded with <c>mlContext.Model.Load</c>.</param>
    /// <param name="classNames">Class names in the network's output order.</param>
    /// <param name="imageSize">The square side images are resized to; must match the size the ONNX file declares.</param>
    /// <param name="imageColumnName">The input column: text, a path to an image file, or an <see cref="MLImage"/> (see <paramref name="input"/>).</param>
    /// <param name="imageFolder">Folder relative paths are resolved against; <see langword="null"/> for paths as they are.</param>
    /// <param name="scoreColumnName">The output column with the class probabilities (vector of float).</param>
    /// <param name="predictedLabelColumnName">The output key column with the predicted class (key values: <paramref name="classNames"/>).</param>
    /// <param name="resizeMethod">How the network's training data was brought to the square size; ML.NET resizes the same way.</param>
    /// <param name="input">Whether the image column holds paths or in-memory <see cref="MLImage"/>s.</param>
    /// <returns>A fitted chain of ML.NET transformers.</returns>
    /// <exception cref="ArgumentException">The ONNX file does not have the single-image layout, or its size or class count differs.</exception>
    public static TransformerChain<ITransformer> Create(MLContext mlContext, string onnxPath, IReadOnlyList<string> classNames, int imageSize,
        string imageColumnName = "ImagePath", string? imageFolder = null, string scoreColumnName = "Score", string predictedLabelColumnName = "PredictedLabel",
        ResizeMethod resizeMethod = ResizeMethod.Crop, ScoringImageInput input = ScoringImageInput.Path)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(classNames);
        var (pixels, channels, probabilities, index) = ReadSignature(onnxPath, classNames.Count, imageSize);
        var (resizing, anchor) = resizeMethod switch
        {
            ResizeMethod.Crop => (ImageResizingEstimator.ResizingKind.IsoCrop, ImageResizingEstimator.Anchor.Center),
            ResizeMethod.Pad => (ImageResizingEstimator.ResizingKind.IsoPad, ImageResizingEstimator.Anchor.Center),
            ResizeMethod.Squish => (ImageResizingEstimator.ResizingKind.Fill, ImageResizingEstimator.Anchor.Center),
            _ => throw new ArgumentOutOfRangeException(nameof(resizeMethod), resizeMethod, "Unknown resize method."),
        };
        var colors = channels == 4 ? ImagePixelExtractingEstimator.ColorBits.All : ImagePixelExtractingEstimator.ColorBits.Rgb;

        var indexKey = new HashingEstimator.ColumnOptions(IndexKeyTemp, index, numberOfBits: 31, combine: true);
        var lookup = IndexKeys(mlContext, indexKey, classNames.Count).Select((key, i) => new KeyValuePair<uint, string>(key, classNames[i])).ToList();
        var resize = mlContext.Transforms.ResizeImages(ImageTemp, imageSize, imageSize, input == ScoringImageInput.Path ? ImageTemp : imageColumnName, resizing, anchor);
        var loaded = input == ScoringImageInput.Path
            ? mlContext.Transforms.LoadImages(ImageTemp, imageFolder, imageColumnName).Append(resize)
            : new EstimatorChain<ITransformer>().Append(resize);
        var pipeline = loaded
            .Append(mlContext.Transforms.ExtractPixels(pixels, ImageTemp, colors, ImagePixelExtractingEstimator.ColorsOrder.ARGB))
            .Append(mlContext.Transforms.ApplyOnnxModel([probabilities, index], [pixels], onnxPath))
            .Append(mlContext.Transforms.CopyColumns(scoreColumnName, probabilities))
            .Append(mlContext.Transforms.Conversion.Hash(indexKey))
            .Append(mlContext.Transforms.Conversion.ConvertType(IndexKeyTemp, IndexKeyTemp, DataKind.UInt32))
            .Append(mlContext.Transforms.Conversion.MapValue(predictedLabelColumnName, lookup, IndexKeyTemp, treatValuesAsKeyType: true))
            .Append(mlContext.Transforms.DropColumns(new[] { ImageTemp, pixels, probabilities, index, IndexKeyTemp }.Where(c => c != scoreColumnName && c != predictedLabelColumnName).ToArray()));

        var schemaOnly = input == ScoringImageInput.Path
            ? mlContext.Data.LoadFromEnumerable(Array.Empty<PathRow>(), PathRow.Schema(imageColumnName))
            : mlContext.Data.LoadFromEnumerable(Array.Empty<ImageRow>(), ImageRow.Schema(imageColumnName));
        using var overFile = new TransformerChain<ITransformer>(pipeline.Fit(schemaOnly).ToArray());
        return OwnCopy(mlContext, overFile);
    }

    /// <summary>
    /// Round-trips <paramref name="chain"/> through ML.NET's model format in memory. The ONNX transformer then holds a
    /// temporary copy of the ONNX file that it owns and deletes when disposed — which a transformer built over a file does
    /// not need and one built over a stream never does (ML.NET 5.0.1's <c>OnnxModel.CreateFromStream</c> leaves its copy
    /// behind) — and the caller's file may go.
    /// </summary>
    private static TransformerChain<ITransformer> OwnCopy(MLContext mlContext, TransformerChain<ITransformer> chain)
    {
        using var buffer = new MemoryStream();
        // No input schema: ML.NET cannot write one holding an MLImage column, and loading the chain back needs none.
        mlContext.Model.Save(chain, null, buffer);
        buffer.Position = 0;
        var loaded = mlContext.Model.Load(buffer, out _);
        if (loaded is TransformerChain<ITransformer> copy) return copy;
        (loaded as IDisposable)?.Dispose();
        throw new InvalidOperationException($"ML.NET loaded the scoring chain back as {loaded.GetType().Name}, not as a transformer chain.");
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
    private static (string Input, int Channels, string Probabilities, string Index) ReadSignature(string onnxPath, int classCount, int imageSize)
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
        var inputDims = Dims(inputs[0]);
        if (!inputDims.SequenceEqual([1, 3, imageSize, imageSize]) && !inputDims.SequenceEqual([1, 4, imageSize, imageSize]))
            Fail($"takes [{string.Join(", ", inputDims)}], expected [1, 4, {imageSize}, {imageSize}] (ARGB) or [1, 3, {imageSize}, {imageSize}] (RGB)");
        var probabilities = graph.Output.FirstOrDefault(o => o.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.Float);
        var index = graph.Output.FirstOrDefault(o => o.Type.TensorType.ElemType == (int)TensorProto.Types.DataType.Int64);
        if (probabilities is null || index is null) Fail("lacks a float probabilities output and an int64 index output");
        if (!Dims(probabilities!).SequenceEqual([classCount])) Fail($"outputs [{string.Join(", ", Dims(probabilities!))}] probabilities for {classCount} classes");
        if (!Dims(index!).SequenceEqual([1])) Fail($"outputs the index as [{string.Join(", ", Dims(index!))}], expected [1]");
        return (inputs[0].Name, (int)inputDims[1], probabilities!.Name, index!.Name);
    }

    /// <summary>A row with a one-element index vector, as the ONNX transformer produces it.</summary>
    private sealed class IndexRow
    {
        [VectorType(1)]
        public long[] Index { get; set; } = [];
    }

    /// <summary>A row with one image column, to give the trivial estimators an input schema to fit on.</summary>
    private sealed class ImageRow
    {
        // ML.NET 5's parameterless [ImageType] throws; the declared size is not checked (ResizeImages takes any image).
        [ImageType(1, 1)]
        public MLImage? Image { get; set; }

        public static SchemaDefinition Schema(string columnName)
        {
            var schema = SchemaDefinition.Create(typeof(ImageRow));
            schema[0].ColumnName = columnName;
            return schema;
        }
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
