using Microsoft.ML;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Training;

namespace MlNetVision.MlNet;

/// <summary>
/// The catalog entry of <see cref="VisionClassifierTrainer"/>:
/// <c>mlContext.MulticlassClassification.Trainers.VisionClassifier(...)</c>. (Not <c>ImageClassification</c>, which is
/// Microsoft.ML.Vision's TensorFlow trainer.)
/// </summary>
public static class VisionClassifierCatalog
{
    /// <summary>
    /// Creates a <see cref="VisionClassifierTrainer"/>: fastai-style transfer learning of a ResNet on images, returning a
    /// stock ML.NET model (Score vector, PredictedLabel key). It works in this catalog's <see cref="MLContext"/> (log, seed, cancellation).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The label column, a key type with text key values.</param>
    /// <param name="imageColumnName">The image column: a path (text) or the encoded bytes.</param>
    /// <param name="frozenEpochs">One-cycle epochs training the head (body frozen); 0 to skip.</param>
    /// <param name="unfrozenEpochs">One-cycle epochs after unfreezing; 0 to skip.</param>
    /// <param name="unfrozenLearningRate">The unfrozen phase's rate; <see langword="null"/> is <see cref="LearningRate.Auto"/> (the learning-rate finder picks it).</param>
    /// <param name="imageSize">The square side images are resized to.</param>
    /// <param name="batchSize">Images per step.</param>
    /// <param name="architecture">The network's name in <see cref="Architectures"/>.</param>
    /// <param name="imageFolder">Folder relative image paths are resolved against.</param>
    /// <param name="validationSet">Rows to validate on; <see langword="null"/> holds out 20% of the training rows.</param>
    /// <param name="seed">The seed of everything random in training; <see langword="null"/> draws it from the context.</param>
    /// <param name="reportPath">Where to write the HTML training report; <see langword="null"/> for none.</param>
    /// <returns>The trainer; see <see cref="VisionClassifierOptions"/> for what each default is and where it comes from.</returns>
    public static VisionClassifierTrainer VisionClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string imageColumnName = "ImagePath", int frozenEpochs = FineTuneOptions.DefaultFrozenEpochs,
        int unfrozenEpochs = FineTuneOptions.DefaultUnfrozenEpochs, LearningRate? unfrozenLearningRate = null, int imageSize = ImageDataBunchOptions.DefaultSize,
        int batchSize = ImageDataBunchOptions.DefaultBatchSize, string architecture = "resnet18-mlnet", string? imageFolder = null, IDataView? validationSet = null,
        int? seed = null, string? reportPath = null)
        => VisionClassifier(catalog, new VisionClassifierOptions
        {
            LabelColumnName = labelColumnName,
            ImageColumnName = imageColumnName,
            FrozenEpochs = frozenEpochs,
            UnfrozenEpochs = unfrozenEpochs,
            UnfrozenLearningRate = unfrozenLearningRate ?? LearningRate.Auto,
            ImageSize = imageSize,
            BatchSize = batchSize,
            Architecture = architecture,
            ImageFolder = imageFolder,
            ValidationSet = validationSet,
            Seed = seed,
            ReportPath = reportPath,
        });

    /// <summary>Creates a <see cref="VisionClassifierTrainer"/> from <paramref name="options"/>, working in this catalog's <see cref="MLContext"/>.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">Every setting, each with a documented default.</param>
    /// <returns>The trainer.</returns>
    /// <exception cref="ArgumentException">The architecture is unknown.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or count is out of range.</exception>
    public static VisionClassifierTrainer VisionClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, VisionClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new VisionClassifierTrainer(options, MlNetEnvironment.Of(catalog));
    }
}
