using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Training.Callbacks;
using MlNetVision.Training.Losses;
using MlNetVision.Training.Metrics;
using MlNetVision.Training.Optimizers;

namespace MlNetVision.Training;

/// <summary>How <see cref="VisionLearner.Create"/> builds a learner; defaults are fastai v1's <c>cnn_learner</c> unless noted.</summary>
public sealed class LearnerOptions
{
    /// <summary>Default of <see cref="ModelDirectory"/>.</summary>
    public const string DefaultModelDirectory = "models";

    /// <summary>Whether the body starts from the architecture's shipped weights (and the learner starts frozen).</summary>
    /// <value>The default value is <see langword="true"/> (fastai v1 <c>cnn_learner(pretrained=True)</c>).</value>
    public bool Pretrained { get; set; } = true;

    // Backbone weights, device and memory.

    /// <summary>Default of <see cref="Device"/>.</summary>
    public const string DefaultDevice = ComputeDevice.Auto;

    /// <summary>
    /// A torchvision state dict for the body — the <c>.pth</c> file torchvision publishes (e.g. <c>resnet50-0676ba61.pth</c>)
    /// or the same as <c>.safetensors</c>; the learner then starts frozen, as with shipped weights. A file for another
    /// architecture fails at creation with the tensor's name and both shapes; nothing is ever downloaded.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the architecture's shipped weights, or random weights (with a warning to <see cref="Log"/>) when it ships none.</value>
    public string? Weights { get; set; }

    /// <summary>Where the model, batches, optimiser state and metrics live: <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c> (see <see cref="ComputeDevice"/>).</summary>
    /// <value>The default value is <c>auto</c>: CUDA when it is available, else the CPU; the choice is written to <see cref="Log"/>.</value>
    public string Device { get; set; } = DefaultDevice;

    /// <summary>
    /// When a batch does not fit in memory: halve the batch size and restart the epoch from the weights before it
    /// (logged), down to 2 images; otherwise the fit stops with an error naming the batch and image size and a batch size to try.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AutoBatchSize { get; set; }

    /// <summary>Where warnings and notices go (the device chosen, training from scratch, a halved batch); <see langword="null"/> for silence.</summary>
    /// <value>The default value is <see cref="Console.Error"/>.</value>
    public TextWriter? Log { get; set; } = Console.Error;

    /// <summary>The validation metrics.</summary>
    /// <value>The default value is <c>[ErrorRate]</c> (lesson 1's <c>metrics=error_rate</c>; fastai's own default is none).</value>
    public IList<Metric> Metrics { get; set; } = [new ErrorRate()];

    /// <summary>Decoupled weight decay used by every fit unless the call gives its own.</summary>
    /// <value>The default value is 0.01 (fastai v1 <c>defaults.wd = 1e-2</c>, <c>true_wd=True</c>).</value>
    public double WeightDecay { get; set; } = AdamWOptions.DefaultWeightDecay;

    /// <summary>Adam's hyper-parameters.</summary>
    /// <value>The default value is betas (0.9, 0.99), eps 1e-8 (see <see cref="AdamWOptions"/>).</value>
    public AdamWOptions Optimizer { get; set; } = new();

    /// <summary>The training loss, also used for the validation loss (fastai <c>loss_func</c>).</summary>
    /// <value>The default value is <see cref="CrossEntropyFlat"/>, plain cross-entropy (fastai <c>cnn_learner</c> for
    /// single-label data); <see cref="LabelSmoothingCrossEntropy"/> is fastai v2's label smoothing.</value>
    public LossFunction Loss { get; set; } = new CrossEntropyFlat();

    /// <summary>Whether BatchNorm layers stay trainable in frozen layer groups.</summary>
    /// <value>The default value is <see langword="true"/> (fastai v1 <c>train_bn=True</c>).</value>
    public bool TrainBn { get; set; } = true;

    /// <summary>Default of <see cref="MixedPrecision"/>: off (its speed depends on the CPU: bf16 measured slower than fp32 on an Intel Xeon without AMX, about 2x faster on an AMD EPYC with avx512_bf16; docs/LEARNER.md).</summary>
    public const bool DefaultMixedPrecision = false;

    /// <summary>
    /// Whether every fit trains in mixed precision (fastai <c>to_fp16</c>): half-precision weights for the forward and
    /// backward passes, bf16 on the CPU and fp16 with dynamic loss scaling on CUDA, fp32 master weights that the
    /// optimiser steps (see <see cref="Callbacks.MixedPrecision"/>). The model, checkpoints and exports stay fp32.
    /// <see cref="Learner.ToFp16"/>, <see cref="Learner.ToBf16"/> and <see cref="Learner.ToFp32"/> change it later.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool MixedPrecision { get; set; } = DefaultMixedPrecision;

    /// <summary>The classifier head's shape.</summary>
    /// <value>The default value is fastai's head: hidden size 512, dropout 0.5 (see <see cref="HeadOptions"/>).</value>
    public HeadOptions Head { get; set; } = new();

    /// <summary>Seed of torch's generator (head initialisation, dropout); <see langword="null"/> uses the data bunch's seed.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public int? Seed { get; set; }

    /// <summary>Folder under the data path where <see cref="Learner.Save"/> writes (fastai <c>model_dir</c>).</summary>
    /// <value>The default value is <c>models</c> (fastai v1 <c>model_dir='models'</c>).</value>
    public string ModelDirectory { get; set; } = DefaultModelDirectory;

    /// <summary>Extra callbacks attached to every fit.</summary>
    /// <value>The default value is an empty list.</value>
    public IList<LearnerCallback> Callbacks { get; set; } = [];

    /// <summary>Receives batch and epoch progress, for applications that draw their own.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Where the epoch table (and, on an interactive console, a live batch line) is written; <see langword="null"/> for silence.</summary>
    /// <value>The default value is <see cref="Console.Out"/>.</value>
    public TextWriter? ProgressWriter { get; set; } = Console.Out;
}
