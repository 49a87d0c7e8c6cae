using Microsoft.ML;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Training;

namespace MlNetVision.MlNet;

/// <summary>
/// Options of <see cref="VisionClassifierTrainer"/>, in ML.NET's vocabulary. Training is <see cref="FineTuneRecipe"/>,
/// fastai lesson 1's recipe, and its options mirror <see cref="FineTuneOptions"/> with the same defaults: train the head of
/// ML.NET's pretrained ResNet18 for 4 one-cycle epochs, unfreeze, run the learning-rate finder, train everything for 2 more.
/// </summary>
public sealed class VisionClassifierOptions
{
    /// <summary>The label column: a key type whose key values are the class names, as <c>MapValueToKey</c> makes it.</summary>
    /// <value>The default value is <c>"Label"</c>.</value>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The image column: text (a path to an image file) or a vector of bytes (the encoded file).</summary>
    /// <value>The default value is <c>"ImagePath"</c>.</value>
    public string ImageColumnName { get; set; } = "ImagePath";

    /// <summary>Folder that relative image paths are resolved against, in training and in the returned model.</summary>
    /// <value>The default value is <see langword="null"/>: paths are used as they are (relative to the current folder).</value>
    public string? ImageFolder { get; set; }

    /// <summary>The output column with the class probabilities, in the label's key order.</summary>
    /// <value>The default value is <c>"Score"</c>.</value>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>The output key column with the predicted class; its key values are the label's.</summary>
    /// <value>The default value is <c>"PredictedLabel"</c>.</value>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>The network, by name in <see cref="Architectures"/> (<c>resnet18-mlnet</c>, <c>resnet18</c>, <c>resnet34</c>, <c>resnet50</c>...).</summary>
    /// <value>The default value is <c>"resnet18-mlnet"</c>, ML.NET's ImageNet-pretrained ResNet18 — the only one whose weights ship offline.</value>
    public string Architecture { get; set; } = Architectures.ResNet18MlNet.Name;

    /// <summary>Whether the body starts from the architecture's pretrained weights (then the head trains first, body frozen).</summary>
    /// <value>The default value is <see langword="true"/> (fastai v1 <c>cnn_learner(pretrained=True)</c>).</value>
    public bool Pretrained { get; set; } = true;

    // Backbone weights, device and memory.

    /// <summary>
    /// A torchvision state dict for the body (<c>.pth</c> as torchvision publishes it, or <c>.safetensors</c>), e.g.
    /// <c>resnet50-0676ba61.pth</c> for <c>Architecture = "resnet50"</c>; then the head trains first, body frozen. A file
    /// for another architecture fails before training with the tensor's name and both shapes.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the architecture's shipped weights, or random weights (with a warning) when it ships none.</value>
    public string? Weights { get; set; }

    /// <summary>Where training computes: <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c>. The returned model scores with ONNX Runtime on the CPU either way.</summary>
    /// <value>The default value is <c>auto</c> (<see cref="LearnerOptions.DefaultDevice"/>): CUDA when it is available, else the CPU.</value>
    public string Device { get; set; } = LearnerOptions.DefaultDevice;

    /// <summary>Whether a batch that does not fit in memory halves the batch size and restarts the epoch (see <see cref="LearnerOptions.AutoBatchSize"/>).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AutoBatchSize { get; set; }

    // ---- The training recipe (FineTuneRecipe); defaults are FineTuneOptions' ----

    /// <summary>One-cycle epochs of the frozen phase: the head only when <see cref="Pretrained"/> (body frozen), the whole network otherwise; 0 skips it.</summary>
    /// <value>The default value is 4 (lesson 1: <c>learn.fit_one_cycle(4)</c>).</value>
    public int FrozenEpochs { get; set; } = FineTuneOptions.DefaultFrozenEpochs;

    /// <summary>Peak learning rate of the frozen phase (the head's rate): one number or a slice over the layer groups.</summary>
    /// <value>The default value is <c>slice(3e-3)</c> (fastai v1 <c>defaults.lr</c>).</value>
    public LearningRate FrozenLearningRate { get; set; } = LearningRate.Slice(FineTuneOptions.DefaultFrozenMaxLearningRate);

    /// <summary>One-cycle epochs of the unfrozen phase, after <c>FreezeTo(<see cref="FreezeTo"/>)</c>; 0 skips it.</summary>
    /// <value>The default value is 2 (lesson 1: <c>learn.unfreeze(); learn.fit_one_cycle(2, max_lr=slice(...))</c>).</value>
    public int UnfrozenEpochs { get; set; } = FineTuneOptions.DefaultUnfrozenEpochs;

    /// <summary>
    /// Peak learning rate of the unfrozen phase: <see cref="LearningRate.Auto"/> runs the learning-rate finder and applies
    /// <see cref="FineTuneRecipe.ChooseRate"/>; or a value (<c>LearningRate.Slice(1e-4)</c>, or a number for every group) or a range (<c>LearningRate.Slice(1e-6, 1e-4)</c>).
    /// </summary>
    /// <value>The default value is <see cref="LearningRate.Auto"/>.</value>
    public LearningRate UnfrozenLearningRate { get; set; } = LearningRate.Auto;

    /// <summary>Leading layer groups kept frozen in the unfrozen phase (0: all three groups train; 1: the stem and layers 1–2 stay frozen).</summary>
    /// <value>The default value is 0 (lesson 1: <c>learn.unfreeze()</c>).</value>
    public int FreezeTo { get; set; } = FineTuneOptions.DefaultFreezeTo;

    /// <summary>Batches of the learning-rate finder's sweep when <see cref="UnfrozenLearningRate"/> is <see cref="LearningRate.Auto"/>.</summary>
    /// <value>The default value is 100 (fastai <c>lr_find(num_it=100)</c>).</value>
    public int LrFindIterations { get; set; } = FineTuneOptions.DefaultLrFindIterations;

    /// <summary>Stop a phase when the validation loss has not improved for this many epochs; <see langword="null"/> never stops early.</summary>
    /// <value>The default value is <see langword="null"/> (off).</value>
    public int? EarlyStoppingPatience { get; set; }

    /// <summary>End each phase on its epoch with the lowest validation loss (checkpoints in the workspace; fastai <c>SaveModelCallback</c>).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool SaveBest { get; set; }

    /// <summary>Where <c>Fit</c> writes the self-contained HTML training report (data, both epoch tables, loss/LR and LR-finder plots, confusion matrix, most confused, per-class metrics, top losses); <see langword="null"/> writes none.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? ReportPath { get; set; }

    /// <summary>Stops <c>Fit</c> within one batch (as <c>mlContext.CancelExecution()</c> does); <c>Fit</c> then throws <see cref="OperationCanceledException"/> and deletes the temporary workspace.</summary>
    /// <value>The default value is <see cref="CancellationToken.None"/>.</value>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Receives batch and epoch progress while fitting, for applications that draw their own.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Label smoothing <c>ε</c> of the training and validation loss (fastai <c>LabelSmoothingCrossEntropy(eps=0.1)</c>); see <see cref="FineTuneOptions.LabelSmoothing"/>.</summary>
    /// <value>The default value is <see langword="null"/>: plain cross-entropy.</value>
    public double? LabelSmoothing { get; set; }

    /// <summary>MixUp's <c>α</c> (fastai <c>MixUp(alpha=0.4)</c>); see <see cref="FineTuneOptions.MixUpAlpha"/>.</summary>
    /// <value>The default value is <see langword="null"/> (no MixUp).</value>
    public double? MixUpAlpha { get; set; }

    /// <summary>CutMix's <c>α</c> (fastai <c>CutMix(alpha=1.)</c>); not together with <see cref="MixUpAlpha"/>; see <see cref="FineTuneOptions.CutMixAlpha"/>.</summary>
    /// <value>The default value is <see langword="null"/> (no CutMix).</value>
    public double? CutMixAlpha { get; set; }

    /// <summary>Samples per optimiser step, accumulated over batches (fastai <c>GradientAccumulation(n_acc=32)</c>); see <see cref="FineTuneOptions.AccumulateSamples"/>.</summary>
    /// <value>The default value is <see langword="null"/>: one step per batch.</value>
    public int? AccumulateSamples { get; set; }

    /// <summary>Train both phases in mixed precision (fastai <c>to_fp16</c>: bf16 on the CPU, fp16 on CUDA); the returned model stays fp32; see <see cref="FineTuneOptions.MixedPrecision"/>.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool MixedPrecision { get; set; } = LearnerOptions.DefaultMixedPrecision;

    // ---- end of the training recipe ----

    /// <summary>Images per training step.</summary>
    /// <value>The default value is 64 (fastai v1 <c>bs=64</c>).</value>
    public int BatchSize { get; set; } = ImageDataBunchOptions.DefaultBatchSize;

    /// <summary>The square side images are resized (centre-cropped) to, in training and in the returned model.</summary>
    /// <value>The default value is 224 (fastai v1 <c>size=224</c>).</value>
    public int ImageSize { get; set; } = ImageDataBunchOptions.DefaultSize;

    /// <summary>Whether training images get fastai's <c>get_transforms()</c> augmentation (flip, rotate, zoom, warp, lighting).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Augmentation { get; set; } = true;

    /// <summary>Rows to validate on (same columns as the training data). When set, <see cref="ValidationFraction"/> is ignored.</summary>
    /// <value>The default value is <see langword="null"/>: a random <see cref="ValidationFraction"/> of the training rows is held out.</value>
    public IDataView? ValidationSet { get; set; }

    /// <summary>Share of the training rows held out for validation when no <see cref="ValidationSet"/> is given.</summary>
    /// <value>The default value is 0.2 (fastai v1 <c>valid_pct=0.2</c>).</value>
    public double ValidationFraction { get; set; } = ImageDataBunchOptions.DefaultValidPct;

    /// <summary>Called after every epoch with its losses and metrics (error rate), e.g. to log them.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public Action<EpochResult>? MetricsCallback { get; set; }

    /// <summary>Folder that keeps the exported <c>model.onnx</c> and the checkpoints of training. The returned model does not depend on it.</summary>
    /// <value>The default value is <see langword="null"/>: a temporary folder, deleted when <c>Fit</c> returns.</value>
    public string? WorkspacePath { get; set; }

    /// <summary>Seed of the split, the shuffling, the augmentation and the head's initialisation: the same seed gives the same model.</summary>
    /// <value>The default value is <see langword="null"/>: drawn from the <see cref="MLContext"/>'s random source, as ML.NET trainers do (so <c>new MLContext(seed: 1)</c> makes training repeatable).</value>
    public int? Seed { get; set; }

    /// <summary>Where fastai's epoch table is written while training; <see langword="null"/> writes none (progress still goes to <c>mlContext.Log</c>).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public TextWriter? ProgressWriter { get; set; }

    /// <summary>The recipe's settings these options stand for.</summary>
    internal FineTuneOptions ToRecipeOptions() => new()
    {
        FrozenEpochs = FrozenEpochs,
        FrozenLearningRate = FrozenLearningRate,
        UnfrozenEpochs = UnfrozenEpochs,
        UnfrozenLearningRate = UnfrozenLearningRate,
        FreezeTo = FreezeTo,
        LrFindIterations = LrFindIterations,
        EarlyStoppingPatience = EarlyStoppingPatience,
        SaveBest = SaveBest,
        LabelSmoothing = LabelSmoothing,
        MixUpAlpha = MixUpAlpha,
        CutMixAlpha = CutMixAlpha,
        AccumulateSamples = AccumulateSamples,
        MixedPrecision = MixedPrecision,
    };
}
