using MlNetVision.Models;
using TorchSharp;
using TorchSharp.Modules;
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
    private readonly List<(Parameter Master, Parameter Half, bool Shared)> _parameters = [];
    private readonly List<Action> _removeHooks = [];
    private VisionModel? _half;
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
    public VisionModel? HalfModel => _half;

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
        _half = CreateHalfModel(learner, half);
        learner.State.TrainingModel = _half;
    }

    /// <inheritdoc/>
    public override void BeforeEpoch(Learner learner)
    {
        // An epoch can restart from restored weights (AutoBatchSize): copy every master, drop any half gradient left behind.
        if (_active) CopyMasters(all: true);
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
        using var noGrad = torch.no_grad();
        var scale = Scaling ? LossScale!.Scale : 1;
        if (Scaling && !LossScale!.Update(overflow: HalfGradientsOverflow()))
        {
            DropHalfGradients();
            learner.State.SkipStep();
            return;
        }
        foreach (var (master, half, _) in _parameters)
        {
            using var grad = half.grad;
            if (grad is null) continue;
            half.grad = null;
            using var full = grad.to_type(ScalarType.Float32);
            if (scale != 1) full.div_(scale);
            using var masterGrad = master.grad;
            if (masterGrad is null) master.grad = full;
            else masterGrad.add_(full);
        }
    }

    /// <inheritdoc/>
    public override void AfterStep(Learner learner)
    {
        if (_active) CopyMasters(all: false);
    }

    /// <inheritdoc/>
    public override void AfterFit(Learner learner)
    {
        if (!_active) return;
        _active = false;
        learner.State.TrainingModel = null;
        foreach (var remove in _removeHooks) remove();
        _removeHooks.Clear();
        _parameters.Clear();
        _half?.Dispose();
        _half = null;
    }

    /// <summary>fastai's name, e.g. <c>MixedPrecision(dtype=bf16)</c>; <c>auto</c> is the device's type.</summary>
    public override string ToString() => $"MixedPrecision(dtype={_requested switch { ScalarType.BFloat16 => "bf16", ScalarType.Float16 => "fp16", _ => "auto" }})";

    private bool Scaling => HalfType == ScalarType.Float16 && LossScale is not null;

    // The learner's network rebuilt with the same architecture and head, its convolution and linear layers in the half
    // type, its BatchNorm layers fp32 and sharing storage with the learner's (fastai model2half keeps BatchNorm float).
    private VisionModel CreateHalfModel(Learner learner, ScalarType half)
    {
        var master = learner.Model;
        VisionModel model;
        // Building a model initialises weights from torch's generator; put it back so that a mixed fit draws the same
        // dropout and MixUp numbers however often the half copy is made (resumed fits included).
        using (var rng = torch.random.get_rng_state())
        {
            model = VisionModel.Create(master.Architecture, master.NumClasses, pretrained: false, head: learner.Options.Head);
            torch.random.set_rng_state(rng);
        }
        model.ChannelsLast = master.ChannelsLast;
        model.to(learner.Device);
        foreach (var (_, module) in model.named_modules())
            if (module is Conv2d or Linear) module.to(half);
        var batchNorms = model.named_modules().Where(m => m.module is BatchNorm1d or BatchNorm2d).Select(m => m.name + ".").ToArray();
        bool IsBatchNorm(string name) => batchNorms.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));
        var masters = master.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        using (torch.no_grad())
        {
            foreach (var (name, p) in model.named_parameters())
            {
                bool shared = IsBatchNorm(name);
                if (shared) p.set_(masters[name]);
                _parameters.Add((masters[name], p, shared));
            }
            var masterBuffers = master.named_buffers().ToDictionary(b => b.name, b => b.buffer, StringComparer.Ordinal);
            foreach (var (name, b) in model.named_buffers())
                if (IsBatchNorm(name)) b.set_(masterBuffers[name]);
                else b.copy_(masterBuffers[name]);
        }
        // Half input after the normalisation (which stays fp32), fp32 logits out; the half copy follows the model's train/eval mode.
        _removeHooks.Add(model.register_forward_pre_hook((m, x) =>
        {
            if (m.training != master.training) m.train(master.training);
            return x;
        }).remove);
        _removeHooks.Add(model.Body.register_forward_pre_hook((_, x) => x.to_type(half)).remove);
        _removeHooks.Add(model.register_forward_hook((_, _, y) => y.to_type(ScalarType.Float32)).remove);
        CopyMasters(all: true);
        return model;
    }

    // fastai master2model: the masters' values into the half weights (all of them, or those the optimiser may have stepped).
    private void CopyMasters(bool all)
    {
        using var noGrad = torch.no_grad();
        foreach (var (master, half, shared) in _parameters)
        {
            if (all)
            {
                half.requires_grad = master.requires_grad;
                using var stale = half.grad;
                if (stale is not null) half.grad = null;
            }
            if (!shared && (all || master.requires_grad)) half.copy_(master);
        }
    }

    private bool HalfGradientsOverflow()
    {
        foreach (var (_, half, _) in _parameters)
        {
            using var grad = half.grad;
            if (grad is null) continue;
            using var sum = grad.to_type(ScalarType.Float32).sum();
            if (!float.IsFinite(sum.cpu().ToSingle())) return true;
        }
        return false;
    }

    private void DropHalfGradients()
    {
        foreach (var (_, half, _) in _parameters)
        {
            using var grad = half.grad;
            if (grad is not null) half.grad = null;
        }
    }
}
