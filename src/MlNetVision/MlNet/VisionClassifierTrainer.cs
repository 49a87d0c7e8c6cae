using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetVision.Data;
using MlNetVision.Interpretation;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Onnx;
using MlNetVision.Rendering;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;

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
/// <item><term><see cref="VisionClassifierOptions.ImageColumnName"/> (input)</term><description>text (image path) or vector of <see cref="byte"/> (encoded image; the model then scores <see cref="MLImage"/>, see below)</description></item>
/// <item><term><see cref="VisionClassifierOptions.ScoreColumnName"/> (output)</term><description>known-size vector of <see cref="float"/>: the softmax probabilities; index <c>i</c> is key <c>i + 1</c> of the label</description></item>
/// <item><term><see cref="VisionClassifierOptions.PredictedLabelColumnName"/> (output)</term><description>key type with the label's key values</description></item>
/// </list>
/// <para>
/// <see cref="Fit"/> builds an <see cref="ImageDataBunch"/> from the rows with the label's key order as its class order, trains with <see cref="FineTuneRecipe"/> (frozen phase,
/// unfreeze, learning-rate finder when the unfrozen rate is <c>Auto</c>, unfrozen phase), writes the HTML report when
/// <see cref="VisionClassifierOptions.ReportPath"/> is set,
/// exports the network to ONNX (<see cref="OnnxExporter"/>,
/// preprocessing folded in) and wraps it with <see cref="OnnxScoringPipeline"/>: LoadImages → ResizeImages →
/// ExtractPixels → ApplyOnnxModel → key mapping. Every step is a stock ML.NET transformer, so <c>Model.Save</c>/<c>Load</c>,
/// <c>Transform</c>, <c>Evaluate</c> and <c>PredictionEngine</c> work unchanged, in apps that do not reference this library.
/// A model trained on a path column reads paths; one trained on a bytes column reads an <see cref="MLImage"/> column of the
/// same name (ML.NET has no stock transformer that decodes bytes: <c>MLImage.CreateFromStream</c> does, see docs/MLNET.md).
/// </para>
/// <para>
/// The trainer works in the <see cref="MLContext"/> whose catalog created it: progress (each step, each epoch's row, the
/// learning rate chosen) and warnings (skipped images) go to <c>mlContext.Log</c>; without a
/// <see cref="VisionClassifierOptions.Seed"/> the seed comes from the context's random source; <c>CancelExecution()</c> on
/// the context (Microsoft.ML.Experimental's public extension; internal in Microsoft.ML itself) or
/// <see cref="VisionClassifierOptions.CancellationToken"/> stops <see cref="Fit"/> within one batch with
/// <see cref="OperationCanceledException"/>, deleting the temporary workspace.
/// </para>
/// </remarks>
public sealed class VisionClassifierTrainer : IEstimator<TransformerChain<ITransformer>>
{
    /// <summary>The name the trainer registers with ML.NET's environment; log messages carry it as their source.</summary>
    public const string RegistrationName = "VisionClassifier";

    private readonly VisionClassifierOptions _options;
    private readonly IHost? _host;
    private readonly Func<bool> _contextCanceled;

    internal VisionClassifierTrainer(VisionClassifierOptions options, IHostEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ = Architectures.Get(options.Architecture); // an unknown name fails here, not at Fit
        if (options.ImageSize < 32) throw new ArgumentOutOfRangeException(nameof(options), options.ImageSize, "ImageSize must be at least 32.");
        if (options.BatchSize < 2) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "BatchSize must be at least 2 (batch norm needs it).");
        options.ToRecipeOptions().Validate();
        if (ComputeDevice.Validate(options.Device) is { } badDevice) throw new ArgumentException(badDevice, nameof(options));
        _options = options;
        // Registered now, as ML.NET's trainers register their host: the context's CancelExecution() reaches the hosts it has.
        _host = environment?.Register(RegistrationName);
        _contextCanceled = _host is null ? () => false : MlNetEnvironment.CancellationProbe(_host);
    }

    /// <summary>The options this trainer was created with.</summary>
    public VisionClassifierOptions Options => _options;

    /// <summary>
    /// The exported ONNX file of the last <see cref="Fit"/> (in <see cref="VisionClassifierOptions.WorkspacePath"/>), or
    /// <see langword="null"/> before one or when no workspace was set (the temporary one is deleted after fitting).
    /// </summary>
    public string? LastOnnxPath { get; private set; }

    /// <summary>What the last <see cref="Fit"/>'s training did: both phases' epoch tables, the learning-rate finder's result and the rates chosen; <see langword="null"/> before one.</summary>
    public FineTuneResult? LastFineTune { get; private set; }

    /// <summary>The HTML report the last <see cref="Fit"/> wrote (<see cref="VisionClassifierOptions.ReportPath"/>, made absolute), or <see langword="null"/>.</summary>
    public string? LastReportPath { get; private set; }

    /// <summary>Trains on <paramref name="input"/> and returns the scoring model.</summary>
    /// <exception cref="ArgumentException">A column is missing or has the wrong type.</exception>
    /// <exception cref="InvalidOperationException">A class of the label has no training image.</exception>
    /// <exception cref="OperationCanceledException">The context's <c>CancelExecution()</c> or the options' token stopped training.</exception>
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
        (LastFineTune, LastReportPath) = (null, null);
        var workspace = Directory.CreateDirectory(o.WorkspacePath ?? Path.Combine(Path.GetTempPath(), "MlNetVision", Guid.NewGuid().ToString("N"))).FullName;
        using var channel = _host?.Start("Fit");
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(o.CancellationToken);
        try
        {
            channel?.Info(MessageSensitivity.UserData, $"workspace {workspace}");
            return Train(input, classes, workspace, channel, cancellation);
        }
        finally
        {
            if (o.WorkspacePath is null) Directory.Delete(workspace, recursive: true);
        }
    }

    private TransformerChain<ITransformer> Train(IDataView input, string[] classes, string workspace, IChannel? channel, CancellationTokenSource cancellation)
    {
        var o = _options;
        var root = Path.GetFullPath(o.ImageFolder ?? Directory.GetCurrentDirectory());
        var seed = o.Seed ?? _host?.Rand.Next() ?? ImageDataBunchOptions.DefaultSeed;
        var log = new TrainingLog(channel, o.MetricsCallback);
        log.Info($"seed {seed}{(o.Seed is null ? " (from the MLContext)" : "")}");

        var bunchOptions = new ImageDataBunchOptions
        {
            Size = o.ImageSize,
            BatchSize = o.BatchSize,
            ValidPct = o.ValidationFraction,
            Seed = seed,
            Transforms = o.Augmentation ? TransformOptions.FastAiDefaults() : TransformOptions.None(),
            Log = channel is null ? o.ProgressWriter ?? TextWriter.Null : new ChannelTextWriter(channel, o.ProgressWriter),
            Classes = classes,
        };
        using var bunch = o.ValidationSet is null
            ? ImageDataBunch.FromDataView(input, o.ImageColumnName, o.LabelColumnName, root, bunchOptions)
            : ImageDataBunch.FromDataViews(input, o.ValidationSet, o.ImageColumnName, o.LabelColumnName, root, bunchOptions);
        var missing = classes.Where((_, i) => bunch.TrainCounts[i] == 0).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"No training image for class(es) {string.Join(", ", missing.Select(m => $"'{m}'"))} of the label's key values; every class needs training images.");

        var learnerOptions = new LearnerOptions
        {
            Pretrained = o.Pretrained,
            Weights = o.Weights,
            Device = o.Device,
            AutoBatchSize = o.AutoBatchSize,
            Log = channel is null ? o.ProgressWriter ?? Console.Error : new ChannelTextWriter(channel, o.ProgressWriter),
            Seed = seed,
            ModelDirectory = Path.Combine(workspace, LearnerOptions.DefaultModelDirectory),
            ProgressWriter = o.ProgressWriter,
            Progress = o.Progress,
            Callbacks = [new ContextCancellation(_contextCanceled, cancellation)],
        };
        using var learner = VisionLearner.Create(bunch, Architectures.Get(o.Architecture), learnerOptions);
        log.Info($"{bunch.Train.Count} training and {bunch.Valid.Count} validation images, {bunch.C} classes, {o.ImageSize} px, {o.Architecture}");
        if (_contextCanceled()) cancellation.Cancel();
        cancellation.Token.ThrowIfCancellationRequested();
        var record = FineTuneRecipe.Run(learner, o.ToRecipeOptions(), [log], (step, run) => { log.Step(step); run(); }, cancellation.Token);
        LastFineTune = record;
        LastReportPath = o.ReportPath is null ? null : WriteReport(learner, record, Path.GetFullPath(o.ReportPath), seed);
        if (LastReportPath is not null) log.Info($"report {LastReportPath}");

        var onnxPath = OnnxExporter.Export(learner.Model, Path.Combine(workspace, "model.onnx"), new OnnxExportOptions
        {
            BatchLayout = OnnxBatchLayout.SingleImage,
            Height = o.ImageSize,
            Width = o.ImageSize,
            ClassNames = classes,
            PixelInput = OnnxPixelInput.PremultipliedArgb,
        });
        LastOnnxPath = o.WorkspacePath is null ? null : onnxPath;
        // A path column is scored from paths; a bytes column (no stock transformer decodes bytes) from in-memory MLImages.
        var servedInput = input.Schema[o.ImageColumnName].Type is TextDataViewType ? ScoringImageInput.Path : ScoringImageInput.MLImage;
        return OnnxScoringPipeline.Create(new MLContext(seed), onnxPath, classes, o.ImageSize, o.ImageColumnName, o.ImageFolder,
            o.ScoreColumnName, o.PredictedLabelColumnName, bunch.ResizeMethod, servedInput);
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

    /// <summary>The same report as <c>mlnet-vision train</c> writes, on the validation split.</summary>
    private string WriteReport(Learner learner, FineTuneResult record, string path, int seed)
    {
        var interpretation = ClassificationInterpretation.FromLearner(learner);
        var report = TrainingReport.FromFineTune(learner, record, interpretation, $"VisionClassifier: {learner.Model.Architecture.Name}",
            [new("Seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        return HtmlReport.Save(report, path);
    }
}
