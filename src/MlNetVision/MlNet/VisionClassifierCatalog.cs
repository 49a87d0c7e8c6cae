using Microsoft.ML;
using MlNetVision.Models;

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
    /// stock ML.NET model (Score vector, PredictedLabel key).
    /// </summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="labelColumnName">The label column, a key type with text key values.</param>
    /// <param name="imageColumnName">The image column: a path (text) or the encoded bytes.</param>
    /// <param name="epochs">One-cycle epochs training the head (body frozen).</param>
    /// <param name="fineTuneEpochs">One-cycle epochs after unfreezing; 0 to skip.</param>
    /// <param name="imageSize">The square side images are resized to.</param>
    /// <param name="batchSize">Images per step.</param>
    /// <param name="architecture">The network's name in <see cref="Architectures"/>.</param>
    /// <param name="imageFolder">Folder relative image paths are resolved against.</param>
    /// <param name="validationSet">Rows to validate on; <see langword="null"/> holds out 20% of the training rows.</param>
    /// <param name="seed">The seed of everything random in training.</param>
    /// <returns>The trainer; see <see cref="VisionClassifierOptions"/> for what each default is and where it comes from.</returns>
    public static VisionClassifierTrainer VisionClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
        string labelColumnName = "Label", string imageColumnName = "ImagePath", int epochs = 4, int fineTuneEpochs = 2, int imageSize = 224,
        int batchSize = 64, string architecture = "resnet18-mlnet", string? imageFolder = null, IDataView? validationSet = null, int seed = 42)
        => VisionClassifier(catalog, new VisionClassifierOptions
        {
            LabelColumnName = labelColumnName,
            ImageColumnName = imageColumnName,
            Epochs = epochs,
            FineTuneEpochs = fineTuneEpochs,
            ImageSize = imageSize,
            BatchSize = batchSize,
            Architecture = architecture,
            ImageFolder = imageFolder,
            ValidationSet = validationSet,
            Seed = seed,
        });

    /// <summary>Creates a <see cref="VisionClassifierTrainer"/> from <paramref name="options"/>.</summary>
    /// <param name="catalog">The multiclass trainers catalog.</param>
    /// <param name="options">Every setting, each with a documented default.</param>
    /// <returns>The trainer.</returns>
    /// <exception cref="ArgumentException">The architecture is unknown.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or count is out of range.</exception>
    public static VisionClassifierTrainer VisionClassifier(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, VisionClassifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new VisionClassifierTrainer(options);
    }
}
