using MlNetVision.Native;

namespace MlNetVision.Cli.LrFind;

/// <summary>The parsed options of <c>mlnet-vision lr-find</c>.</summary>
/// <param name="Data">The data argument as given (<see langword="null"/>: the shipped sample).</param>
/// <param name="Architecture">Backbone name.</param>
/// <param name="Size">Image size in pixels.</param>
/// <param name="BatchSize">Batch size.</param>
/// <param name="ValidPct">Validation share when the data has no valid/ folder.</param>
/// <param name="Unfreeze">Sweep with the whole network trainable instead of the head only.</param>
/// <param name="StartLr">First learning rate of the sweep.</param>
/// <param name="EndLr">Last learning rate of the sweep.</param>
/// <param name="Iterations">Number of batches of the sweep.</param>
/// <param name="Out">Output folder for the plot.</param>
/// <param name="Seed">Random seed.</param>
/// <param name="Weights">torchvision weights file for the backbone, or <see langword="null"/>.</param>
/// <param name="Device">cpu, cuda, cuda:N or auto.</param>
public sealed record LrFindSettings(
    string? Data,
    string Architecture,
    int Size,
    int BatchSize,
    double ValidPct,
    bool Unfreeze,
    double StartLr,
    double EndLr,
    int Iterations,
    string Out,
    int Seed,
    string? Weights = null,
    string Device = ComputeDevice.Auto);
