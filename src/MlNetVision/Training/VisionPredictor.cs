using MlNetVision.Data;
using MlNetVision.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Training;

/// <summary>
/// Predicts with a checkpoint alone, no <see cref="ImageDataBunch"/> needed (fastai <c>load_learner</c> followed by
/// <c>predict</c>): the checkpoint's header gives the architecture, head, classes, image size and resize method, and
/// images are loaded exactly as <see cref="Learner.Predict(string)"/> loads them (<see cref="ImageLoader.LoadForInference(string, int, ResizeMethod, long)"/>),
/// so a predictor and the learner that saved the checkpoint give the same probabilities.
/// </summary>
public sealed class VisionPredictor : IDisposable
{
    /// <summary>Default batch size of <see cref="PredictFiles"/> and <see cref="PredictFolder"/> (fastai's <c>bs=64</c>).</summary>
    public const int DefaultBatchSize = 64;

    private bool _disposed;

    private VisionPredictor(string path, VisionModel model, CheckpointInfo info, ResizeMethod resizeMethod)
    {
        Path = path;
        Model = model;
        Info = info;
        ResizeMethod = resizeMethod;
    }

    /// <summary>The checkpoint file.</summary>
    public string Path { get; }

    /// <summary>The network, in eval mode.</summary>
    public VisionModel Model { get; }

    /// <summary>The checkpoint's header.</summary>
    public CheckpointInfo Info { get; }

    /// <summary>The class names, index order.</summary>
    public IReadOnlyList<string> Classes => Info.Classes;

    /// <summary>The square side images are brought to (the training size).</summary>
    public int ImageSize => Info.ImageSize;

    /// <summary>How images are brought to <see cref="ImageSize"/> (as the learner's data did).</summary>
    public ResizeMethod ResizeMethod { get; }

    /// <summary>Loads the checkpoint at <paramref name="checkpointPath"/> written by <see cref="Learner.Save"/> (fastai <c>load_learner</c>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this library, or its header is unusable.</exception>
    public static VisionPredictor Load(string checkpointPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointPath);
        var full = System.IO.Path.GetFullPath(checkpointPath);
        if (!File.Exists(full)) throw new FileNotFoundException($"Checkpoint '{checkpointPath}' not found.", full);
        CheckpointInfo info;
        try
        {
            info = Checkpoint.ReadInfo(full);
        }
        catch (Exception e) when (e is EndOfStreamException or System.Text.Json.JsonException)
        {
            throw new InvalidDataException($"'{checkpointPath}' is not a readable MlNetVision checkpoint ({e.Message}).", e);
        }
        if (!Enum.TryParse<ResizeMethod>(info.ResizeMethod, ignoreCase: true, out var resize) || !Enum.IsDefined(resize))
            throw new InvalidDataException($"'{checkpointPath}' names an unknown resize method '{info.ResizeMethod}' (known: {string.Join(", ", Enum.GetNames<ResizeMethod>())}).");
        if (info.ImageSize < 1) throw new InvalidDataException($"'{checkpointPath}' has an invalid image size {info.ImageSize}.");
        VisionModel model;
        try
        {
            (model, info) = Checkpoint.LoadModel(full);
        }
        catch (Exception e) when (e is ArgumentException or EndOfStreamException)
        {
            throw new InvalidDataException($"'{checkpointPath}' cannot be rebuilt: {e.Message}", e);
        }
        return new VisionPredictor(full, model, info, resize);
    }

    /// <summary>Predicts the class of one image file, loaded as the learner's <c>Predict</c> loads it.</summary>
    /// <exception cref="ImageDecodeException">The file is not a decodable image.</exception>
    public Prediction Predict(string imagePath)
    {
        using var scope = torch.NewDisposeScope();
        return Predict(ImageLoader.LoadForInference(imagePath, ImageSize, ResizeMethod));
    }

    /// <summary>Predicts the class of one encoded image (JPEG, PNG, BMP, GIF or WebP bytes).</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image.</exception>
    public Prediction Predict(byte[] encodedImage)
    {
        using var scope = torch.NewDisposeScope();
        return Predict(ImageLoader.LoadForInference(encodedImage, ImageSize, ResizeMethod));
    }

    /// <summary>Predicts the class of one image tensor: float32 <c>[3, H, W]</c>, RGB in 0..1.</summary>
    public Prediction Predict(Tensor image)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var scope = torch.NewDisposeScope();
        return ModelInference.ToPrediction(ModelInference.Probabilities(Model, image.unsqueeze(0))[0], Classes);
    }

    /// <summary>
    /// Predicts image files in batches of <paramref name="batchSize"/>, in the given order. A file that cannot be decoded is
    /// skipped and listed in <see cref="BatchPredictions.Skipped"/>; the others are still predicted.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (checked between batches).</exception>
    public BatchPredictions PredictFiles(IEnumerable<string> imagePaths, int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var items = new List<FilePrediction>();
        var skipped = new List<SkippedInput>();
        foreach (var chunk in imagePaths.Chunk(batchSize))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var loaded = new Tensor?[chunk.Length];
            var errors = new string?[chunk.Length];
            try
            {
                // Decoding is the slow part and thread-safe (the data bunch decodes in parallel too); tensors made on
                // worker threads belong to no dispose scope, so each is detached and disposed here.
                Parallel.For(0, chunk.Length, new ParallelOptions { CancellationToken = cancellationToken }, i =>
                {
                    try { loaded[i] = ImageLoader.LoadForInference(chunk[i], ImageSize, ResizeMethod).DetachFromDisposeScope(); }
                    catch (ImageDecodeException e) { errors[i] = e.Message; }
                });
                for (int i = 0; i < chunk.Length; i++)
                    if (errors[i] is { } error) skipped.Add(new SkippedInput(chunk[i], error));
                var good = Enumerable.Range(0, chunk.Length).Where(i => loaded[i] is not null).ToArray();
                if (good.Length == 0) continue;
                using var scope = torch.NewDisposeScope();
                var probabilities = ModelInference.Probabilities(Model, torch.stack(good.Select(i => loaded[i]!)));
                for (int k = 0; k < good.Length; k++) items.Add(new FilePrediction(chunk[good[k]], ModelInference.ToPrediction(probabilities[k], Classes)));
            }
            finally
            {
                foreach (var t in loaded) t?.Dispose();
            }
        }
        return new BatchPredictions(items, skipped);
    }

    /// <summary>
    /// Predicts every image file under <paramref name="folder"/> (recursively; the library's image extensions), in ordinal
    /// path order, in batches of <paramref name="batchSize"/>; undecodable files are skipped and listed.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public BatchPredictions PredictFolder(string folder, int batchSize = DefaultBatchSize, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(folder)) throw new DirectoryNotFoundException($"Folder '{folder}' not found.");
        var files = Directory.EnumerateFiles(System.IO.Path.GetFullPath(folder), "*", SearchOption.AllDirectories)
            .Where(f => ImageDataBunch.ImageExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal).ToList();
        return PredictFiles(files, batchSize, cancellationToken);
    }

    /// <summary>Releases the model.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Model.Dispose();
    }
}
