using MlNetVision.Models;

namespace MlNetVision.Training;

/// <summary>What a checkpoint says about the weights it holds.</summary>
/// <param name="Architecture">The architecture's table name (<see cref="ResNetArchitecture.Name"/>).</param>
/// <param name="Classes">The class names, index order.</param>
/// <param name="ImageSize">The image size the model was trained at.</param>
/// <param name="Normalization">The input normalisation inside the model.</param>
/// <param name="HiddenSizes">The head's hidden layer sizes.</param>
/// <param name="Dropout">The head's last dropout probability.</param>
/// <param name="ConcatPool">Whether the head uses concat pooling.</param>
/// <param name="SavedUtc">When the checkpoint was written.</param>
public sealed record CheckpointInfo(
    string Architecture, string[] Classes, int ImageSize, PixelNormalization Normalization,
    int[] HiddenSizes, double Dropout, bool ConcatPool, DateTime SavedUtc)
{
    /// <summary>How images were brought to the square size (<c>Crop</c>, <c>Pad</c> or <c>Squish</c>); predictions should load images the same way.</summary>
    public string ResizeMethod { get; init; } = nameof(Data.ResizeMethod.Crop);

    /// <summary>
    /// Where the body's starting weights came from (<see cref="VisionModel.WeightsSource"/>): ML.NET's shipped ResNet18,
    /// a torchvision weights file with its SHA-256, or random initialisation; <see langword="null"/> in older checkpoints.
    /// </summary>
    public string? Weights { get; init; }

    /// <summary>
    /// The optimiser, generator, loader and fit state saved with the weights (format 2) so that a fit can continue
    /// (<see cref="Learner.Resume"/>); <see langword="null"/> in weights-only checkpoints and format-1 files.
    /// </summary>
    public CheckpointTrainingState? Training { get; init; }

    /// <summary>The head options to rebuild the model with.</summary>
    public HeadOptions Head => new() { HiddenSizes = HiddenSizes, Dropout = Dropout, ConcatPool = ConcatPool };
}
