using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.Cli.Running;
using MlNetVision.Data;
using MlNetVision.Interpretation;
using MlNetVision.Training;

namespace MlNetVision.Cli.Scoring;

/// <summary>
/// A model.zip loaded with stock ML.NET (<c>mlContext.Model.Load</c>): checks it is an image classifier with an
/// <c>ImagePath</c> input, a <c>Score</c> vector and a <c>PredictedLabel</c> key whose key values are the class names,
/// and scores image files with it. A <c>.ckpt</c> checkpoint is scored by the library's <see cref="VisionPredictor"/> instead.
/// Dispose it: ML.NET's ONNX transformer copies the embedded ONNX file to a temporary file that only disposing deletes.
/// </summary>
public sealed class ScoringModel : IDisposable
{
    /// <summary>The input column of the model.</summary>
    public const string ImageColumn = nameof(ImageInput.ImagePath);

    private readonly MLContext _ml;
    private readonly ITransformer _model;

    private ScoringModel(MLContext ml, ITransformer model, string path, IReadOnlyList<string> classes)
    {
        _ml = ml;
        _model = model;
        Path = path;
        Classes = classes;
    }

    private readonly VisionPredictor? _checkpoint;

    private ScoringModel(VisionPredictor checkpoint, string path)
    {
        _ml = new MLContext(seed: 0);
        _model = null!;
        _checkpoint = checkpoint;
        Path = path;
        Classes = checkpoint.Classes;
    }

    /// <summary>The model file.</summary>
    public string Path { get; }

    /// <summary>Disposes the loaded ML.NET transformers (deleting ML.NET's temporary ONNX copy) or the checkpoint's predictor.</summary>
    public void Dispose()
    {
        (_model as IDisposable)?.Dispose();
        _checkpoint?.Dispose();
    }

    /// <summary>The class names, in the order of the <c>Score</c> vector.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>Loads and checks a model.zip.</summary>
    /// <exception cref="CliException">The file is not an ML.NET model, or not an image classifier with the expected columns (exit 5).</exception>
    public static ScoringModel Load(string path)
    {
        if (string.Equals(System.IO.Path.GetExtension(path), Checkpoint.Extension, StringComparison.OrdinalIgnoreCase)) return LoadCheckpoint(path);
        var ml = new MLContext(seed: 0);
        ITransformer model;
        DataViewSchema inputSchema;
        try
        {
            model = ml.Model.Load(path, out inputSchema);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw CliException.ModelMismatch($"'{path}' is not an ML.NET model.zip that can be loaded ({FirstLine(e.Message)}). Use the model.zip written by 'mlnet-vision train'.", e);
        }
        try
        {
            if (inputSchema.GetColumnOrNull(ImageColumn) is not { Type: TextDataViewType })
                throw CliException.ModelMismatch($"'{path}' is an ML.NET model but not an mlnet-vision image classifier: it has no text input column '{ImageColumn}'.");
            DataViewSchema output;
            try
            {
                output = model.GetOutputSchema(inputSchema);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                throw CliException.ModelMismatch($"'{path}' cannot score images: {FirstLine(e.Message)}", e);
            }
            var score = output.GetColumnOrNull("Score");
            var predicted = output.GetColumnOrNull("PredictedLabel");
            if (score is not { Type: VectorDataViewType { ItemType: NumberDataViewType } } || predicted is not { Type: KeyDataViewType })
                throw CliException.ModelMismatch($"'{path}' is not an mlnet-vision image classifier: it lacks the Score vector or the PredictedLabel key column.");
            VBuffer<ReadOnlyMemory<char>> keyValues = default;
            predicted.Value.GetKeyValues(ref keyValues);
            var classes = keyValues.DenseValues().Select(v => v.ToString()).ToArray();
            var scoreSize = ((VectorDataViewType)score.Value.Type).Size;
            if (classes.Length == 0 || classes.Length != scoreSize)
                throw CliException.ModelMismatch($"'{path}' names {classes.Length} classes but scores {scoreSize}: it is not an mlnet-vision image classifier.");
            return new ScoringModel(ml, model, path, classes);
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The class probabilities of each image, in input order (images must be readable: check them first).</summary>
    public float[][] Score(IReadOnlyList<string> imagePaths, CancellationToken cancellation)
    {
        if (_checkpoint is not null) return ScoreCheckpoint(imagePaths, cancellation);
        var scored = Transform(imagePaths.Select(p => new ImageInput { ImagePath = p }));
        var result = new List<float[]>(imagePaths.Count);
        using var cursor = scored.GetRowCursor([scored.Schema["Score"]]);
        var getter = cursor.GetGetter<VBuffer<float>>(scored.Schema["Score"]);
        VBuffer<float> buffer = default;
        while (cursor.MoveNext())
        {
            cancellation.ThrowIfCancellationRequested();
            getter(ref buffer);
            result.Add(buffer.DenseValues().ToArray());
        }
        return result.ToArray();
    }

    /// <summary>
    /// The model's scored view of labelled images (lazy: images are scored as it is read): the input's <c>ImagePath</c>
    /// and text <c>Label</c> columns, then the model's <c>Score</c> and <c>PredictedLabel</c>.
    /// </summary>
    public IDataView Score(IReadOnlyList<LabelledFile> images) =>
        Transform(images.Select(f => new LabelledImageInput { ImagePath = f.Path, Label = f.Label }));

    /// <summary>
    /// Scores labelled images and interprets the result: the Score column of model.zip through
    /// <see cref="ClassificationInterpretation.FromDataView"/>, or the checkpoint's probabilities through
    /// <see cref="ClassificationInterpretation.FromPredictions(IReadOnlyList{string}, float[][], int[], float[], ItemImageSource)"/>.
    /// </summary>
    public ClassificationInterpretation Interpret(IReadOnlyList<LabelledFile> images, CancellationToken cancellation)
    {
        if (_checkpoint is null) return ClassificationInterpretation.FromDataView(Score(images), cancellationToken: cancellation);
        var probabilities = ScoreCheckpoint(images.Select(f => f.Path).ToList(), cancellation);
        var targets = images.Select(f => Classes.ToList().IndexOf(f.Label)).ToArray();
        return ClassificationInterpretation.FromPredictions(Classes, probabilities, targets, items: ItemImageSource.FromPaths(images.Select(f => f.Path).ToList()));
    }

    private IDataView Transform<T>(IEnumerable<T> rows) where T : class =>
        _model.Transform(_ml.Data.LoadFromEnumerable(rows.ToList()));

    private static ScoringModel LoadCheckpoint(string path)
    {
        try
        {
            return new ScoringModel(VisionPredictor.Load(path), path);
        }
        catch (InvalidDataException e)
        {
            throw CliException.ModelMismatch($"'{path}' is not a checkpoint written by 'mlnet-vision train' that can be loaded ({FirstLine(e.Message)}).", e);
        }
    }

    private float[][] ScoreCheckpoint(IReadOnlyList<string> imagePaths, CancellationToken cancellation)
    {
        var scored = _checkpoint!.PredictFiles(imagePaths, cancellationToken: cancellation);
        if (scored.Skipped.Count > 0) throw CliException.BadData($"Cannot read image {scored.Skipped[0]}");
        return scored.Items.Select(i => i.Prediction.Probabilities).ToArray();
    }

    private static string FirstLine(string message)
    {
        var i = message.IndexOf('\n');
        return (i < 0 ? message : message[..i]).Trim();
    }
}
