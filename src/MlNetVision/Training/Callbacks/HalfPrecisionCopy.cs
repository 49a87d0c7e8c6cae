using MlNetVision.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetVision.Training.Callbacks;

/// <summary>
/// The half-precision copy of a <see cref="VisionModel"/> that <see cref="MixedPrecision"/> trains through (and the
/// benchmarks' compute-only step): the network, the pairing of its parameters with the fp32 masters, and fastai v1's
/// <c>model_g2master</c> / <c>master2model</c> copies between them. Owns the copy; the masters stay the caller's.
/// </summary>
internal sealed class HalfPrecisionCopy : IDisposable
{
    private readonly List<(Parameter Master, Parameter Half, bool Shared)> _parameters = [];
    private readonly List<Action> _removeHooks = [];

    private HalfPrecisionCopy() { }

    /// <summary>The half-precision network: half input after the (fp32) normalisation, fp32 logits out.</summary>
    public VisionModel Model { get; private set; } = null!;

    /// <summary>
    /// <paramref name="master"/> rebuilt with the same architecture and <paramref name="head"/> on <paramref name="device"/>,
    /// its convolution and linear layers in <paramref name="half"/>, its BatchNorm layers fp32 and sharing storage with the
    /// master's (fastai <c>model2half</c> keeps BatchNorm float), every other weight copied from the master.
    /// </summary>
    public static HalfPrecisionCopy Create(VisionModel master, HeadOptions head, Device device, ScalarType half)
    {
        var copy = new HalfPrecisionCopy();
        VisionModel model;
        // Building a model initialises weights from torch's generator; put it back so that a mixed fit draws the same
        // dropout and MixUp numbers however often the half copy is made (resumed fits included).
        using (var rng = torch.random.get_rng_state())
        {
            model = VisionModel.Create(master.Architecture, master.NumClasses, pretrained: false, head: head);
            torch.random.set_rng_state(rng);
        }
        model.ChannelsLast = master.ChannelsLast;
        copy.Model = model;
        model.to(device);
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
                copy._parameters.Add((masters[name], p, shared));
            }
            var masterBuffers = master.named_buffers().ToDictionary(b => b.name, b => b.buffer, StringComparer.Ordinal);
            foreach (var (name, b) in model.named_buffers())
                if (IsBatchNorm(name)) b.set_(masterBuffers[name]);
                else b.copy_(masterBuffers[name]);
        }
        // Half input after the normalisation (which stays fp32), fp32 logits out; the half copy follows the model's train/eval mode.
        copy._removeHooks.Add(model.register_forward_pre_hook((m, x) =>
        {
            if (m.training != master.training) m.train(master.training);
            return x;
        }).remove);
        copy._removeHooks.Add(model.Body.register_forward_pre_hook((_, x) => x.to_type(half)).remove);
        copy._removeHooks.Add(model.register_forward_hook((_, _, y) => y.to_type(ScalarType.Float32)).remove);
        copy.CopyMasters(all: true);
        return copy;
    }

    /// <summary>
    /// fastai <c>master2model</c>: the masters' values into the half weights, all of them (and their <c>requires_grad</c>,
    /// dropping any half gradient) or, after a step, only those the optimiser may have changed.
    /// </summary>
    public void CopyMasters(bool all)
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

    /// <summary>Whether any half gradient holds an infinity or NaN (fastai v1 <c>grad_overflow</c>).</summary>
    public bool GradientsOverflow()
    {
        // One host read per step, not one per parameter: the fp32 sum of every gradient's sum is finite only when
        // every gradient is.
        using var scope = torch.NewDisposeScope();
        var sums = new List<Tensor>();
        foreach (var (_, half, _) in _parameters)
        {
            var grad = half.grad;
            if (grad is not null) sums.Add(grad.to_type(ScalarType.Float32).sum());
        }
        return sums.Count > 0 && !float.IsFinite(torch.stack(sums).sum().ToSingle());
    }

    /// <summary>Forgets the half gradients (a skipped overflowing step).</summary>
    public void DropGradients()
    {
        foreach (var (_, half, _) in _parameters)
        {
            using var grad = half.grad;
            if (grad is not null) half.grad = null;
        }
    }

    /// <summary>
    /// fastai <c>model_g2master</c>: each half gradient, as fp32 and divided by <paramref name="lossScale"/>, into its
    /// master's gradient (added to one already there, as gradient accumulation needs); the half gradients are freed.
    /// </summary>
    public void MoveGradientsToMasters(double lossScale)
    {
        using var noGrad = torch.no_grad();
        foreach (var (master, half, _) in _parameters)
        {
            using var grad = half.grad;
            if (grad is null) continue;
            half.grad = null;
            using var full = grad.to_type(ScalarType.Float32);
            if (lossScale != 1) full.div_(lossScale);
            using var masterGrad = master.grad;
            if (masterGrad is null) master.grad = full;
            else masterGrad.add_(full);
        }
    }

    /// <summary>Removes the hooks and releases the half network (the shared BatchNorm storage stays the master's).</summary>
    public void Dispose()
    {
        foreach (var remove in _removeHooks) remove();
        _removeHooks.Clear();
        _parameters.Clear();
        Model?.Dispose();
    }
}
