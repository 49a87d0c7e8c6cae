using MlNetVision.Models;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using MlNetVision.Training.Optimizers;
using MlNetVision.Training.Schedules;
using TorchSharp;
using BatchNorm2d = TorchSharp.Modules.BatchNorm2d;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace MlNetVision.Benchmarks.Measurement;

/// <summary>
/// The Learner's training step on ready-made tensors, with no data pipeline: the library's <see cref="AdamW"/> over the
/// model's three layer groups (betas 0.9/0.99, decoupled weight decay 1e-2), the learning rates and momentum of
/// <see cref="OneCycleSchedule"/> for <c>FitOneCycle</c>'s default <c>slice(3e-3)</c>, and per step, as
/// <c>Learner.TrainEpoch</c>: one dispose scope, forward, cross-entropy, loss to a scalar, zero grad, backward, step.
/// "Frozen" is fastai v1's freeze with train_bn (the body gets no gradient except its BatchNorm layers), as
/// <c>Learner.Freeze()</c>.
/// </summary>
internal sealed class ComputeTrainer : IDisposable
{
    private readonly VisionModel _model;
    private readonly AdamW _optimizer;
    private readonly OneCycleSchedule _schedule;
    private readonly HalfPrecisionCopy? _half;
    private int _step;

    /// <summary>With <paramref name="half"/> (bf16 or fp16) the step is MixedPrecision's: forward and backward through the library's half copy, fp32 masters stepped.</summary>
    public ComputeTrainer(VisionModel model, bool frozen, int totalSteps, ScalarType? half = null)
    {
        _model = model;
        if (frozen) FreezeBody(model);
        if (half is { } type) _half = HalfPrecisionCopy.Create(model, new HeadOptions(), model.parameters().First().device, type);
        var groups = model.LayerGroups();
        _optimizer = new AdamW(groups.Select(g => (IReadOnlyList<Parameter>)g.Select(p => p.Parameter).ToArray()));
        _schedule = new OneCycleSchedule(Math.Max(1, totalSteps), LearningRate.Default.ForGroups(groups.Count));
        model.train();
    }

    public static void FreezeBody(VisionModel model)
    {
        foreach (var (_, module) in model.Body.named_modules())
        {
            bool bn = module is BatchNorm2d;
            foreach (var (_, p) in module.named_parameters(recurse: false)) p.requires_grad = bn;
        }
    }

    /// <summary>One step; returns the loss.</summary>
    public float Step(Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        _optimizer.SetLearningRates(_schedule.LearningRates(_step));
        _optimizer.SetMomentum(_schedule.Momentum(_step));
        var loss = nn.functional.cross_entropy(_half is null ? _model.forward(images) : _half.Model.call(images), labels);
        var value = loss.ToSingle();
        _optimizer.ZeroGrad();
        loss.backward();
        _half?.MoveGradientsToMasters(1);
        _optimizer.Step();
        _half?.CopyMasters(all: false);
        _step++;
        return value;
    }

    /// <summary>
    /// The same step as <see cref="Step"/>, timed by phase: milliseconds of forward with the loss, zero grad, backward
    /// and optimiser step (libtorch on the CPU runs each operation before it returns, so the stopwatch sees its cost).
    /// </summary>
    public double[] TimedStep(Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        _optimizer.SetLearningRates(_schedule.LearningRates(_step));
        _optimizer.SetMomentum(_schedule.Momentum(_step));
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        var loss = nn.functional.cross_entropy(_model.forward(images), labels);
        _ = loss.ToSingle();
        var t1 = System.Diagnostics.Stopwatch.GetTimestamp();
        _optimizer.ZeroGrad();
        var t2 = System.Diagnostics.Stopwatch.GetTimestamp();
        loss.backward();
        var t3 = System.Diagnostics.Stopwatch.GetTimestamp();
        _optimizer.Step();
        var t4 = System.Diagnostics.Stopwatch.GetTimestamp();
        _step++;
        static double Ms(long a, long b) => System.Diagnostics.Stopwatch.GetElapsedTime(a, b).TotalMilliseconds;
        return [Ms(t0, t1), Ms(t1, t2), Ms(t2, t3), Ms(t3, t4)];
    }

    public void Dispose()
    {
        _optimizer.Dispose();
        _half?.Dispose();
    }
}
