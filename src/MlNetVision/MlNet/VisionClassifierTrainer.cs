using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Onnx;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetVision.MlNet;

/// <summary>
/// An ML.NET multiclass trainer that fine-tunes a ResNet on images with MlNetVision's fastai-style <see cref="Learner"/>,
/// then returns a model made of ML.NET's own transformers over the exported ONNX network. Reach it through
/// <c>mlContext.MulticlassClassification.Trainers.VisionClassifier(...)</c>.
/// </summary>
/// <remarks>
/// <para>Input and output columns:</para>
/// <list type="table">
/// <listheader><term>Column</term><description>Type</description></listheader>
/// <item><term><see cref="VisionClassifierOptions.LabelColumnName"/> (input)</term><description>key type with text key values (<c>MapValueToKey</c>)</description></item>
/// <item><term><see cref="VisionClassifierOptions.ImageColumnName"/> (input)</term><description>text (image path) or vector of <see cref="byte"/> (encoded image; training only, see below)</description></item>
/// <item><term><see cref="VisionClassifierOptions.ScoreColumnName"/> (output)</term><description>known-size vector of <see cref="float"/>: the softmax probabilities; index <c>i</c> is key <c>i + 1</c> of the label</description></item>
/// <item><term><see cref="VisionClassifierOptions.PredictedLabelColumnName"/> (output)</term><description>key type with the label's key values</description></item>
/// </list>
/// <para>
/// <see cref="Fit"/> builds an <see cref="ImageDataBunch"/> from the rows, trains (head phase, then fine-tune phase),
/// reorders the classifier's outputs to the label's key order, exports the network to ONNX (<see cref="OnnxExporter"/>,
/// preprocessing folded in) and wraps it with <see cref="OnnxScoringPipeline"/>: LoadImages → ResizeImages →
/// ExtractPixels → ApplyOnnxModel → key mapping. Every step is a stock ML.NET transformer, so <c>Model.Save</c>/<c>Load</c>,
/// <c>Transform</c>, <c>Evaluate</c> and <c>PredictionEngine</c> work unchanged, in apps that do not reference this library.
/// The returned model loads images from paths: ML.NET has no stock transformer that decodes a bytes column into an image.
/// </para>
/// </remarks>
public sealed class VisionClassifierTrainer : IEstimator<TransformerChain<ITransformer>>
{
    private readonly VisionClassifierOptions _options;

    internal VisionClassifierTrainer(VisionClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ = Architectures.Get(options.Architecture); // an unknown name fails here, not at Fit
        if (options.ImageSize < 32) throw new ArgumentOutOfRangeException(nameof(options), options.ImageSize, "ImageSize must be at least 32.");
        if (options.BatchSize < 2) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be at least 2 (batch norm needs it).");
        if (options.Epochs < 0 || options.FineTuneEpochs < 0) throw new ArgumentOutOfRangeException(nameof(options), "Epochs cannot be negative.");
        if (ComputeDevice.Validate(options.Device) is { } badDevice) throw new ArgumentException(badDevice, nameof(options));
        _options = options;
    }

    /// <summary>The options this trainer was created with.</summary>
    public VisionClassifierOptions Options => _options;

    /// <summary>
    /// The exported ONNX file of the last <see cref="Fit"/> (in <see cref="VisionClassifierOptions.WorkspacePath"/>), or
    /// <see langword="null"/> before one or when no workspace was set (the temporary one is deleted after fitting).
    /// </summary>
    public string? LastOnnxPath { get; private set; }

    /// <summary>Trains on <paramref name="input"/> and returns the scoring model.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    /// <exception cref="InvalidOperationException">A class of the label has no training image.</exception>
    public TransformerChain<ITransformer> Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var o = _options;
        var labelColumn = input.Schema.GetColumnOrNull(o.LabelColumnName) ?? throw new ArgumentException($"The input has no label column '{o.LabelColumnName}'.", nameof(input));
        if (labelColumn.Type is not KeyDataViewType)
            throw new ArgumentException($"Label column '{o.LabelColumnName}' must be a key type (use mlContext.Transforms.Conversion.MapValueToKey), not {labelColumn.Type}.", nameof(input));
        var imageColumn = input.Schema.GetColumnOrNull(o.ImageColumnName) ?? throw new ArgumentException($"The input has no image column '{o.ImageColumnName}'.", nameof(input));
        bool pathOrBytes = imageColumn.Type is TextDataViewType || imageColumn.Type is VectorDataViewType { ItemType: var item } && item.RawType == typeof(byte);
        if (!pathOrBytes)
            throw new ArgumentException($"Image column '{o.ImageColumnName}' must be text (a path) or a vector of bytes, not {imageColumn.Type}.", nameof(input));
        var classes = KeyNames(labelColumn);
        var workspace = Directory.CreateDirectory(o.WorkspacePath ?? Path.Combine(Path.GetTempPath(), "MlNetVision", Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            return Train(input, classes, workspace);
        }
        finally
        {
            if (o.WorkspacePath is null) Directory.Delete(workspace, recursive: true);
        }
    }

    private TransformerChain<ITransformer> Train(IDataView input, string[] classes, string workspace)
    {
        var o = _options;
        var root = Path.GetFullPath(o.ImageFolder ?? Directory.GetCurrentDirectory());

        var bunchOptions = new ImageDataBunchOptions
        {
            Size = o.ImageSize,
            BatchSize = o.BatchSize,
            ValidPct = o.ValidationFraction,
            Seed = o.Seed,
            Transforms = o.Augmentation ? TransformOptions.FastAiDefaults() : TransformOptions.None(),
            Log = o.ProgressWriter ?? TextWriter.Null,
        };
        using var bunch = o.ValidationSet is null
            ? ImageDataBunch.FromDataView(input, o.ImageColumnName, o.LabelColumnName, root, bunchOptions)
            : FromTwoDataViews(input, o.ValidationSet, root, bunchOptions);
        var missing = classes.Where(c => !bunch.Classes.Contains(c)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"No training image for class(es) {string.Join(", ", missing.Select(m => $"'{m}'"))} of the label's key values; every class needs training images.");

        var callbacks = new List<LearnerCallback>();
        if (o.EarlyStoppingPatience is { } patience) callbacks.Add(new EarlyStopping("valid_loss", patience: patience));
        if (o.MetricsCallback is { } report) callbacks.Add(new EpochReporter(report));
        var learnerOptions = new LearnerOptions
        {
            Pretrained = o.Pretrained,
            Weights = o.Weights,
            Device = o.Device,
            AutoBatchSize = o.AutoBatchSize,
            Log = o.ProgressWriter ?? Console.Error,
            Seed = o.Seed,
            ModelDirectory = Path.Combine(workspace, LearnerOptions.DefaultModelDirectory),
            ProgressWriter = o.ProgressWriter,
            Callbacks = callbacks,
        };
        using var learner = VisionLearner.Create(bunch, Architectures.Get(o.Architecture), learnerOptions);
        if (o.Epochs > 0) learner.FitOneCycle(o.Epochs, LearningRate.Slice(o.MaxLearningRate));
        if (o.Pretrained && o.FineTuneEpochs > 0)
        {
            learner.Unfreeze();
            learner.FitOneCycle(o.FineTuneEpochs, LearningRate.Slice(o.FineTuneLearningRate.Low, o.FineTuneLearningRate.High));
        }

        ReorderOutputs(learner.Model, classes.Select(c => (long)bunch.Classes.ToList().IndexOf(c)).ToArray());
        var onnxPath = OnnxExporter.Export(learner.Model, Path.Combine(workspace, "model.onnx"), new OnnxExportOptions
        {
            BatchLayout = OnnxBatchLayout.SingleImage,
            Height = o.ImageSize,
            Width = o.ImageSize,
            ClassNames = classes,
        });
        LastOnnxPath = o.WorkspacePath is null ? null : onnxPath;
        return OnnxScoringPipeline.Create(new MLContext(o.Seed), onnxPath, classes, o.ImageSize, o.ImageColumnName, o.ImageFolder,
            o.ScoreColumnName, o.PredictedLabelColumnName);
    }

    /// <summary>
    /// The schema after <see cref="Fit"/>: the input columns plus the score vector and the predicted-label key (carrying the
    /// label's key values). Checks the label and image columns.
    /// </summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var o = _options;
        var label = Find(inputSchema, o.LabelColumnName, "label");
        if (!label.IsKey || label.Kind != SchemaShape.Column.VectorKind.Scalar)
            throw new ArgumentException($"Label column '{o.LabelColumnName}' must be a key type (use mlContext.Transforms.Conversion.MapValueToKey), not {Describe(label)}.", nameof(inputSchema));
        if (!label.Annotations.Any(a => a.Name == KeyValuesKind))
            throw new ArgumentException($"Label column '{o.LabelColumnName}' has no key values (class names).", nameof(inputSchema));
        var image = Find(inputSchema, o.ImageColumnName, "image");
        bool isPath = image.Kind == SchemaShape.Column.VectorKind.Scalar && image.ItemType is TextDataViewType;
        bool isBytes = image.Kind != SchemaShape.Column.VectorKind.Scalar && image.ItemType.RawType == typeof(byte);
        if (!isPath && !isBytes)
            throw new ArgumentException($"Image column '{o.ImageColumnName}' must be text (a path) or a vector of bytes, not {Describe(image)}.", nameof(inputSchema));

        // SchemaShape columns cannot be built with public API, so stock estimators describe ours: the predicted label has
        // exactly the label's key type and values (a copy), the score is a known-size float vector with one slot per key
        // value, named after it (what MapKeyToVector describes; the exported ONNX gives the real Score those slot names).
        var ml = new MLContext();
        var withPredicted = ml.Transforms.CopyColumns(o.PredictedLabelColumnName, o.LabelColumnName).GetOutputSchema(inputSchema);
        var withScore = ml.Transforms.Conversion.MapKeyToVector(o.ScoreColumnName, o.LabelColumnName).GetOutputSchema(inputSchema);
        var added = new[] { Find(withScore, o.ScoreColumnName, "score"), Find(withPredicted, o.PredictedLabelColumnName, "predicted label") };
        return new SchemaShape(inputSchema.Where(c => c.Name != o.ScoreColumnName && c.Name != o.PredictedLabelColumnName).Concat(added));
    }

    private const string KeyValuesKind = "KeyValues";

    private static SchemaShape.Column Find(SchemaShape schema, string name, string role) =>
        schema.Where(c => c.Name == name).Select(c => (SchemaShape.Column?)c).FirstOrDefault()
        ?? throw new ArgumentException($"The input has no {role} column '{name}'.", nameof(schema));

    private static string Describe(SchemaShape.Column c) => $"{c.Kind} of {(c.IsKey ? "key " : "")}{c.ItemType}";

    /// <summary>The class names of a key column, in key order (key 1 first).</summary>
    private static string[] KeyNames(DataViewSchema.Column label)
    {
        if (label.Annotations.Schema.GetColumnOrNull(KeyValuesKind) is not { } kv || kv.Type is not VectorDataViewType { ItemType: TextDataViewType })
            throw new ArgumentException($"Label column '{label.Name}' must have text key values (class names).");
        VBuffer<ReadOnlyMemory<char>> names = default;
        label.GetKeyValues(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    /// <summary>Makes output <c>i</c> of the classifier the class at <c>order[i]</c>, so outputs follow the label's key order.</summary>
    private static void ReorderOutputs(VisionModel model, long[] order)
    {
        if (order.Select((o, i) => o == i).All(x => x)) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var last = model.Head.children().OfType<Linear>().Last();
        var index = tensor(order, device: last.weight!.device);
        last.weight!.copy_(last.weight.index_select(0, index));
        last.bias?.copy_(last.bias.index_select(0, index));
    }

    private ImageDataBunch FromTwoDataViews(IDataView train, IDataView valid, string root, ImageDataBunchOptions options)
    {
        var skipped = new List<SkippedInput>();
        var trainItems = DataViewItems.Read(train, _options.ImageColumnName, _options.LabelColumnName, root, skipped);
        var validItems = DataViewItems.Read(valid, _options.ImageColumnName, _options.LabelColumnName, root, skipped);
        return ImageDataBunch.Build(root, trainItems, validItems, null, options, skipped);
    }

    /// <summary>Forwards each epoch's results to the user's metrics callback.</summary>
    private sealed class EpochReporter(Action<EpochResult> report) : LearnerCallback
    {
        public override int Order => 20;

        public override void AfterEpoch(Learner learner)
        {
            if (learner.State.LastEpoch is { } result) report(result);
        }
    }
}
