using MlNetVision.Training;
using MlNetVision.Cli.Arguments;
using MlNetVision.Native;

namespace MlNetVision.Cli.Train;

/// <summary>The parsed options of <c>mlnet-vision train</c>.</summary>
/// <param name="Data">The data argument as given (<see langword="null"/>: the shipped sample).</param>
/// <param name="Architecture">Backbone name from the architecture table.</param>
/// <param name="Size">Image size in pixels.</param>
/// <param name="BatchSize">Batch size.</param>
/// <param name="FrozenEpochs">Epochs of the frozen phase (head only, body frozen).</param>
/// <param name="UnfrozenEpochs">Epochs of the unfrozen phase.</param>
/// <param name="LearningRate">Learning rate of the unfrozen phase (<c>auto</c>, a value or a range).</param>
/// <param name="HeadLearningRate">Maximum learning rate of the frozen phase (used as <c>slice(v)</c>).</param>
/// <param name="LrFindIterations">Batches of the LR finder's sweep with <c>--lr auto</c>.</param>
/// <param name="FreezeTo">Leading layer groups kept frozen in the unfrozen phase.</param>
/// <param name="Patience">Early-stopping patience on <c>valid_loss</c>, or <see langword="null"/>.</param>
/// <param name="ValidPct">Validation share when the data has no valid/ folder.</param>
/// <param name="Out">Output folder.</param>
/// <param name="Seed">Random seed.</param>
/// <param name="Weights">torchvision weights file for the backbone, or <see langword="null"/>.</param>
/// <param name="Device">cpu, cuda, cuda:N or auto.</param>
/// <param name="AutoBatchSize">Halve the batch when it does not fit in memory.</param>
/// <param name="LabelSmoothing">Label smoothing eps (<c>--label-smoothing</c>), or <see langword="null"/>.</param>
/// <param name="MixUp">MixUp alpha (<c>--mixup</c>), or <see langword="null"/>.</param>
/// <param name="CutMix">CutMix alpha (<c>--cutmix</c>), or <see langword="null"/>.</param>
/// <param name="AccumulateSamples">Samples per optimiser step (<c>--accumulate</c>, fastai n_acc), or <see langword="null"/>.</param>
/// <param name="Resume">Continue the run whose checkpoint is in <paramref name="Out"/> (<c>--resume</c>) instead of starting afresh.</param>
public sealed record TrainSettings(
    string? Data,
    string Architecture,
    int Size,
    int BatchSize,
    int FrozenEpochs,
    int UnfrozenEpochs,
    LearningRate LearningRate,
    double HeadLearningRate,
    int LrFindIterations,
    int FreezeTo,
    int? Patience,
    double ValidPct,
    string Out,
    int Seed,
    string? Weights = null,
    string Device = ComputeDevice.Auto,
    bool AutoBatchSize = false,
    double? LabelSmoothing = null,
    double? MixUp = null,
    double? CutMix = null,
    int? AccumulateSamples = null,
    bool Resume = false);
