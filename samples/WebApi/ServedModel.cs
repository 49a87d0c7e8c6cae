using Microsoft.Extensions.ObjectPool;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace WebApi;

/// <summary>
/// A saved ML.NET image classifier (a model.zip from the trainer, the CLI or <c>OnnxScoringPipeline</c>) made ready to
/// score images held in memory from many threads at once: a pool of <see cref="PredictionEngine{TSrc, TDst}"/>s (one
/// engine is never used by two threads) behind a gate of <see cref="Concurrency"/> predictions at a time.
/// </summary>
/// <remarks>
/// The saved chain reads images from paths (<c>LoadImages → ResizeImages → ExtractPixels → ApplyOnnxModel → …</c>).
/// ML.NET's image transforms take an image column of <see cref="MLImage"/>s, so the served chain is the saved chain's
/// own transformers from the first image step on: the steps after <c>LoadImages</c>, fed an <see cref="MLImage"/>
/// column under <c>LoadImages</c>' output name (or, for a model that takes images itself, the steps from its first
/// <c>ResizeImages</c>/<c>ExtractPixels</c>, fed that step's input column). Steps before the image stage only map the
/// training label, which a request does not have. Nothing is re-implemented and no file is written.
/// </remarks>
public sealed class ServedModel : IDisposable
{
    private readonly MLContext _ml;
    private readonly ObjectPool<PredictionEngine<ImageRow, ScoreRow>> _engines;
    private readonly SemaphoreSlim _gate;
    private readonly System.Collections.Concurrent.ConcurrentBag<PredictionEngine<ImageRow, ScoreRow>> _created = [];

    private ServedModel(MLContext ml, string path, string imageColumn, ITransformer scorer, SchemaDefinition input, IReadOnlyList<string> classNames, int concurrency)
    {
        _ml = ml;
        ModelPath = path;
        ImageColumnName = imageColumn;
        Scorer = scorer;
        ClassNames = classNames;
        Concurrency = concurrency;
        _gate = new SemaphoreSlim(concurrency, concurrency);
        // A plain DefaultObjectPool never disposes an engine it does not keep: disposing one PredictionEngine releases
        // the ONNX session the others share (a later engine then fails inside ONNX Runtime). Engines die with the model.
        _engines = new DefaultObjectPool<PredictionEngine<ImageRow, ScoreRow>>(new EnginePolicy(ml, scorer, input, _created), concurrency);
    }

    /// <summary>The model file served.</summary>
    public string ModelPath { get; }

    /// <summary>The image column the served chain reads (<c>LoadImages</c>' output in a path-reading model).</summary>
    public string ImageColumnName { get; }

    /// <summary>The served chain: the saved model's transformers from the image column on.</summary>
    public ITransformer Scorer { get; }

    /// <summary>Class names in Score order (the Score column's slot names).</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>How many predictions run at once (and how many engines the pool keeps).</summary>
    public int Concurrency { get; }

    /// <summary>Loads <paramref name="modelPath"/> and creates and warms <paramref name="concurrency"/> engines.</summary>
    /// <param name="modelPath">A model.zip saved by <c>mlContext.Model.Save</c>.</param>
    /// <param name="concurrency">Predictions at once; also the number of pooled engines.</param>
    /// <returns>The model, ready to serve.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The model has no image step or no Score column with class names.</exception>
    public static ServedModel Load(string modelPath, int concurrency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        if (!File.Exists(modelPath)) throw new FileNotFoundException($"Model '{modelPath}' not found.", modelPath);
        var ml = new MLContext(seed: 0);
        var model = ml.Model.Load(modelPath, out var savedInput);
        var (imageColumn, scorer) = FromImageColumn(model, savedInput);
        var input = ImageRow.Schema(imageColumn);
        var output = scorer.GetOutputSchema(ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>(), input).Schema);
        var classNames = ClassNamesOf(output, modelPath);

        var served = new ServedModel(ml, Path.GetFullPath(modelPath), imageColumn, scorer, input, classNames, concurrency);
        served.Warm();
        return served;
    }

    /// <summary>
    /// Splits a saved model at its image stage: the image column's name and the chain of the model's own transformers
    /// that goes from that column to the scores (see the remarks of <see cref="ServedModel"/>).
    /// </summary>
    /// <param name="model">The loaded model (nested chains are flattened).</param>
    /// <param name="inputSchema">The input schema saved with the model.</param>
    /// <exception cref="InvalidDataException">The model has no LoadImages, ResizeImages or ExtractPixels step, or no single image column.</exception>
    public static (string ImageColumn, TransformerChain<ITransformer> Scorer) FromImageColumn(ITransformer model, DataViewSchema inputSchema)
    {
        var steps = Flatten(model).ToList();
        var schema = inputSchema;
        for (int i = 0; i < steps.Count; i++)
        {
            var output = steps[i].GetOutputSchema(schema);
            if (steps[i] is ImageLoadingTransformer)
                return (SingleImageColumn(output, "LoadImages' output"), new TransformerChain<ITransformer>(steps.Skip(i + 1).ToArray()));
            if (steps[i] is ImageResizingTransformer or ImagePixelExtractingTransformer)
                return (SingleImageColumn(schema, "the model's input"), new TransformerChain<ITransformer>(steps.Skip(i).ToArray()));
            schema = output;
        }
        throw new InvalidDataException("The model has no LoadImages, ResizeImages or ExtractPixels step: it does not score images.");
    }

    private static string SingleImageColumn(DataViewSchema schema, string what)
    {
        var images = schema.Where(c => !c.IsHidden && c.Type is ImageDataViewType).Select(c => c.Name).ToList();
        return images.Count == 1 ? images[0] : throw new InvalidDataException($"{what} has {images.Count} image columns; a served model has one.");
    }

    /// <summary>Scores one image: waits for a free slot, borrows an engine, predicts and returns the engine.</summary>
    /// <param name="image">The decoded image; the caller keeps ownership.</param>
    /// <param name="topK">How many classes to list (clamped to 1..class count).</param>
    /// <param name="cancellationToken">Cancels the wait for a slot (not a running prediction).</param>
    /// <returns>The most probable class and the <paramref name="topK"/> most probable ones.</returns>
    public async Task<PredictionResult> PredictAsync(MLImage image, int topK, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return ToResult(Score(image), topK);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The Score vector for one image, with a pooled engine, on the calling thread (no gate: more concurrent callers than <see cref="Concurrency"/> create more engines, kept until <see cref="Dispose"/>).</summary>
    /// <param name="image">The decoded image; the caller keeps ownership.</param>
    /// <returns>The class probabilities in <see cref="ClassNames"/> order.</returns>
    public float[] Score(MLImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var engine = _engines.Get();
        try
        {
            return engine.Predict(new ImageRow { Image = image }).Score;
        }
        finally
        {
            _engines.Return(engine);
        }
    }

    /// <summary>Scores many images with one <c>Transform</c> over a data view, as offline batch scoring does.</summary>
    /// <param name="images">Images created lazily as the view is read; each is disposed after its row is scored.</param>
    /// <returns>One Score vector per image, in order.</returns>
    public List<float[]> ScoreBatch(IEnumerable<MLImage> images)
    {
        var rows = images.Select(image => new ImageRow { Image = image });
        var view = _ml.Data.LoadFromEnumerable(rows, ImageRow.Schema(ImageColumnName));
        return Scorer.Transform(view).GetColumn<float[]>(ScoreRow.ColumnName).ToList();
    }

    /// <summary>Turns a Score vector into the response: the arg-max class and the top classes, most probable first.</summary>
    /// <param name="scores">Probabilities in <see cref="ClassNames"/> order.</param>
    /// <param name="topK">How many classes to list (clamped to 1..class count).</param>
    public PredictionResult ToResult(float[] scores, int topK)
    {
        var top = scores.Select((p, i) => new ClassProbability(ClassNames[i], p))
            .Select((c, i) => (c, i)).OrderByDescending(x => x.c.Probability).ThenBy(x => x.i)
            .Take(Math.Clamp(topK, 1, scores.Length)).Select(x => x.c).ToList();
        return new PredictionResult(top[0].Class, top[0].Probability, top);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var engine in _created) engine.Dispose();
        (Scorer as IDisposable)?.Dispose(); // deletes ML.NET's temporary copy of the ONNX network
        _gate.Dispose();
    }

    /// <summary>Creates every engine up front and predicts once with each, so the first requests do not pay for it.</summary>
    private void Warm()
    {
        var engines = Enumerable.Range(0, Concurrency).Select(_ => _engines.Get()).ToList();
        using var image = MLImage.CreateFromPixels(8, 8, MLPixelFormat.Bgra32, Enumerable.Repeat((byte)128, 8 * 8 * 4).ToArray());
        foreach (var engine in engines)
        {
            engine.Predict(new ImageRow { Image = image });
            _engines.Return(engine);
        }
    }

    private static IEnumerable<ITransformer> Flatten(ITransformer transformer) =>
        transformer is IEnumerable<ITransformer> chain ? chain.SelectMany(Flatten) : [transformer];

    private static IReadOnlyList<string> ClassNamesOf(DataViewSchema output, string modelPath)
    {
        var score = output.GetColumnOrNull(ScoreRow.ColumnName)
            ?? throw new InvalidDataException($"'{modelPath}' has no {ScoreRow.ColumnName} column; it is not a classifier.");
        if (score.Type is not VectorDataViewType { ItemType: NumberDataViewType, Size: > 0 } vector || vector.ItemType.RawType != typeof(float))
            throw new InvalidDataException($"'{modelPath}': {ScoreRow.ColumnName} is {score.Type}, expected a known-size vector of float.");
        if (score.HasSlotNames())
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            score.GetSlotNames(ref names);
            return names.DenseValues().Select(n => n.ToString()).ToArray();
        }
        var label = output.GetColumnOrNull("PredictedLabel");
        if (label is { } l && l.HasKeyValues())
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            l.GetKeyValues(ref names);
            return names.DenseValues().Select(n => n.ToString()).ToArray();
        }
        throw new InvalidDataException($"'{modelPath}': {ScoreRow.ColumnName} has no slot names and PredictedLabel no key values, so the classes are unknown.");
    }

    /// <summary>Creates engines for the pool and remembers them, to dispose with the model; every engine is kept.</summary>
    private sealed class EnginePolicy(MLContext ml, ITransformer scorer, SchemaDefinition input, System.Collections.Concurrent.ConcurrentBag<PredictionEngine<ImageRow, ScoreRow>> created)
        : PooledObjectPolicy<PredictionEngine<ImageRow, ScoreRow>>
    {
        public override PredictionEngine<ImageRow, ScoreRow> Create()
        {
            var engine = ml.Model.CreatePredictionEngine<ImageRow, ScoreRow>(scorer, ignoreMissingColumns: true, inputSchemaDefinition: input);
            created.Add(engine);
            return engine;
        }

        public override bool Return(PredictionEngine<ImageRow, ScoreRow> obj) => true;
    }
}

/// <summary>The served chain's input row: one image.</summary>
public sealed class ImageRow
{
    /// <summary>The image size the column type declares. Nominal: <c>ResizeImages</c> takes any size.</summary>
    public const int DeclaredSide = 224;

    /// <summary>The decoded image.</summary>
    [ImageType(DeclaredSide, DeclaredSide)]
    public MLImage? Image { get; set; }

    /// <summary>The row's schema with the image column named <paramref name="imageColumn"/>.</summary>
    public static SchemaDefinition Schema(string imageColumn)
    {
        var schema = SchemaDefinition.Create(typeof(ImageRow));
        schema[0].ColumnName = imageColumn;
        return schema;
    }
}

/// <summary>The served chain's output row: the class probabilities.</summary>
public sealed class ScoreRow
{
    /// <summary>The column read.</summary>
    public const string ColumnName = "Score";

    /// <summary>Probabilities in class order.</summary>
    public float[] Score { get; set; } = [];
}
