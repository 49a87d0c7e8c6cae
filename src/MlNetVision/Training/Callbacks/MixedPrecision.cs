using MlNetVision.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Training.Callbacks;

/// <summary>
/// Mixed-precision training the way fastai v1's <c>to_fp16</c> / <c>MixedPrecision</c> callback does it, without autocast
/// (TorchSharp has none): training batches run forward and backward through a half-precision copy of the network
/// (<see cref="HalfModel"/>: convolution and linear weights in bf16 or fp16, BatchNorm layers kept in fp32 and sharing
/// their weights and running statistics with the learner's model, fastai's <c>model2half</c>); the input is cast to the half
/// type after the normalisation, the logits back to fp32, so the loss is computed in fp32. The learner's own
/// <see cref="Learner.Model"/> stays fp32 and holds the master copies: after each backward pass the half gradients are
/// copied into the masters as fp32 (added, under gradient accumulation), the optimiser steps the masters, and the
/// stepped masters are copied into the half weights (fastai's <c>model_g2master</c> / <c>master2model</c>). Validation,
/// predictions, checkpoints and exports use the fp32 model, so they are unchanged.
/// For fp16 the loss is scaled dynamically (<see cref="DynamicLossScale"/>, fastai v1's); bf16 has fp32's exponent range
/// and needs no scaling.
/// </summary>
public sealed class MixedPrecision : LearnerCallback
{
    /// <summary>Default of <see cref="Order"/>: after the <see cref="Recorder"/> and the learning-rate finder, before every other callback, so that their <c>AfterBackward</c> sees the fp32 master gradients.</summary>
    public const int DefaultOrder = -20;

    private readonly ScalarType? _requested;
    private HalfPrecisionCopy? _half;
    private bool _active;

    /// <summary>
    /// Creates the callback for <paramref name="halfType"/>: <see cref="ScalarType.BFloat16"/>, <see cref="ScalarType.Float16"/>,
    /// or <see langword="null"/> for the device's (bf16 on the CPU, fp16 on CUDA). fp16 scales the loss with
    /// <paramref name="lossScale"/> (a new <see cref="DynamicLossScale"/> when <see langword="null"/>); bf16 never scales it.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="halfType"/> is neither bf16 nor fp16.</exception>
    public MixedPrecision(ScalarType? halfType = null, DynamicLossScale? lossScale = null)
    {
        if (halfType is not (null or ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"Mixed precision trains in bf16 or fp16, not {halfType}.", nameof(halfType));
        _requested = halfType;
        LossScale = lossScale;
    }

    /// <inheritdoc/>
    public override int Order => DefaultOrder;

    /// <summary>The half type asked for; <see langword="null"/> means the device's (bf16 on the CPU, fp16 on CUDA).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ScalarType? RequestedType => _requested;

    /// <summary>The half type of the current (or last) fit.</summary>
    public ScalarType? HalfType { get; private set; }

    /// <summary>The fp16 loss scaler; <see langword="null"/> until a fit in fp16 starts (bf16 needs none).</summary>
    public DynamicLossScale? LossScale { get; private set; }

    /// <summary>The half-precision network training batches run through during a fit; <see langword="null"/> outside a fit.</summary>
    public VisionModel? HalfModel => _half?.Model;

    /// <summary>The half type for <paramref name="device"/> when none is asked for: bf16 on the CPU, fp16 on CUDA.</summary>
    public static ScalarType DefaultHalfType(Device device) =>
        device.type == DeviceType.CUDA ? ScalarType.Float16 : ScalarType.BFloat16;

    /// <inheritdoc/>
    public override void BeforeFit(Learner learner)
    {
        // Another MixedPrecision (the learner's and a recipe's) already runs this fit: this one stays out of it.
        _active = learner.State.TrainingModel is null;
        if (!_active) return;
        var half = _requested ?? DefaultHalfType(learner.Device);
        HalfType = half;
        if (half == ScalarType.Float16) LossScale ??= new DynamicLossScale();
        _half = HalfPrecisionCopy.Create(learner.Model, learner.Options.Head, learner.Device, half);
        learner.State.TrainingModel = _half.Model;
    }

    /// <inheritdoc/>
    public override void BeforeEpoch(Learner learner)
    {
        // An epoch can restart from restored weights (AutoBatchSize): copy every master, drop any half gradient left behind.
        if (_active) _half!.CopyMasters(all: true);
    }

    /// <inheritdoc/>
    public override void AfterLoss(Learner learner)
    {
        if (_active && learner.State.Training && Scaling) learner.State.LossScale *= LossScale!.Scale;
    }

    /// <inheritdoc/>
    public override void AfterBackward(Learner learner)
    {
        if (!_active) return;
        var scale = Scaling ? LossScale!.Scale : 1;
        if (Scaling && !LossScale!.Update(overflow: _half!.GradientsOverflow()))
        {
            _half.DropGradients();
            learner.State.SkipStep();
            return;
        }
        _half!.MoveGradientsToMasters(scale);
    }

    /// <inheritdoc/>
    public override void AfterStep(Learner learner)
    {
        if (_active) _half!.CopyMasters(all: false);
    }

    /// <inheritdoc/>
    public override void AfterFit(Learner learner)
    {
        if (!_active) return;
        _active = false;
        learner.State.TrainingModel = null;
        _half?.Dispose();
        _half = null;
    }

    /// <summary>fastai's name, e.g. <c>MixedPrecision(dtype=bf16)</c>; <c>auto</c> is the device's type.</summary>
    public override string ToString() => $"MixedPrecision(dtype={_requested switch { ScalarType.BFloat16 => "bf16", ScalarType.Float16 => "fp16", _ => "auto" }})";

    private bool Scaling => HalfType == ScalarType.Float16 && LossScale is not null;
}
