using MlNetVision.Training.Losses;
using MlNetVision.Training.Optimizers;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MlNetVision.Training;

/// <summary>What the training loop is doing right now; read by callbacks, progress reporters and the recorder.</summary>
public sealed class FitState
{
    /// <summary>The state before any fit.</summary>
    public FitState()
    {
    }

    /// <summary>The state at the start of a fit of <paramref name="epochs"/> epochs of <paramref name="batchesPerEpoch"/> training batches each.</summary>
    internal FitState(int epochs, int batchesPerEpoch)
    {
        Epochs = epochs;
        TotalIterations = epochs * batchesPerEpoch;
    }

    /// <summary>The 0-based epoch being run.</summary>
    public int Epoch { get; internal set; }

    /// <summary>How many epochs this fit runs.</summary>
    public int Epochs { get; internal set; }

    /// <summary>The 0-based index of the batch in the current pass (training or validation).</summary>
    public int Batch { get; internal set; }

    /// <summary>Number of batches in the current pass.</summary>
    public int Batches { get; internal set; }

    /// <summary>The 0-based number of training steps taken in this fit (the schedule's step).</summary>
    public int Iteration { get; internal set; }

    /// <summary>Total training steps of this fit.</summary>
    public int TotalIterations { get; internal set; }

    /// <summary>Whether the current pass trains (<see langword="false"/> during validation).</summary>
    public bool Training { get; internal set; }

    /// <summary>The loss of the last training batch.</summary>
    public float Loss { get; internal set; } = float.NaN;

    /// <summary>The exponentially smoothed training loss (β 0.98, debiased), kept by the <see cref="Recorder"/>.</summary>
    public double SmoothLoss { get; internal set; } = double.NaN;

    /// <summary>Results of the last finished epoch; <see langword="null"/> before the first one.</summary>
    public EpochResult? LastEpoch { get; internal set; }

    /// <summary>The reason a stop was requested, or <see langword="null"/>.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Whether the fit should stop after the current batch (<see cref="StopNow"/>) rather than at the end of the epoch.</summary>
    public bool StopNow { get; private set; }

    /// <summary>The optimiser driving this fit.</summary>
    public AdamW? Optimizer { get; internal set; }

    /// <summary>
    /// The current training batch's images, float32 <c>[B, 3, H, W]</c> (fastai <c>learn.xb</c>); a <c>BeforeBatch</c>
    /// callback may replace them with a tensor made in the step's dispose scope (MixUp does). Valid during a training batch only.
    /// </summary>
    public Tensor? Images { get; set; }

    /// <summary>The current training batch's int64 class indices <c>[B]</c> (fastai <c>learn.yb</c>); valid during a training batch only.</summary>
    public Tensor? Labels { get; set; }

    /// <summary>The loss of the current training batch when not <see cref="LearnerOptions.Loss"/>; set in <c>BeforeBatch</c> (MixUp does), reset every batch.</summary>
    public LossFunction? BatchLoss { get; set; }

    /// <summary>
    /// Multiplies the loss before the backward pass of the current batch (fastai <c>GradientAccumulation</c> divides
    /// <c>loss_grad</c>, <c>MixedPrecision</c> scales fp16 losses); callbacks multiply it in <c>AfterLoss</c>, it is reset to
    /// 1 every batch. <see cref="Loss"/> stays unscaled.
    /// </summary>
    public double LossScale { get; set; } = 1;

    /// <summary>Whether the optimiser step of the current batch is skipped; the gradients are then kept and the next batch adds to them.</summary>
    public bool StepSkipped { get; internal set; }

    /// <summary>Skips the optimiser step of the current batch and keeps its gradients (fastai <c>CancelStepException</c>); call it in <c>AfterBackward</c>.</summary>
    public void SkipStep() => StepSkipped = true;

    internal void BeginBatch(Tensor images, Tensor labels)
    {
        Images = images;
        Labels = labels;
        BatchLoss = null;
        LossScale = 1;
    }

    /// <summary>Asks the loop to stop: at the end of the current epoch, or right after the current batch when <paramref name="immediately"/>.</summary>
    public void RequestStop(string reason, bool immediately = false)
    {
        StopReason ??= reason;
        StopNow |= immediately;
    }

    internal bool StopRequested => StopReason is not null;

    /// <summary>
    /// The network training batches run forward and backward through, when not <see cref="Learner.Model"/>: the half-precision
    /// copy of <see cref="Callbacks.MixedPrecision"/>, set for the length of a fit; <see langword="null"/> uses the learner's model.
    /// </summary>
    internal Module<Tensor, Tensor>? TrainingModel { get; set; }

    /// <summary>Whether the <c>AfterEpoch</c> callbacks are running (a checkpoint saved now records the fit's position).</summary>
    internal bool AtEpochEnd { get; set; }
}
