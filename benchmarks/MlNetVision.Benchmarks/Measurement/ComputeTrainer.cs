using MlNetVision.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetVision.Benchmarks.Measurement;

/// <summary>
/// One training step on ready-made tensors, the way the Learner takes it (one dispose scope per step; learning rate
/// from the one-cycle schedule; forward, cross-entropy, loss to a scalar, zero grad, backward, AdamW step with betas
/// (0.9, 0.99) and decoupled weight decay 1e-2). "Frozen" is fastai v1's freeze with train_bn: the body's parameters
/// get no gradient except BatchNorm's.
/// </summary>
internal sealed class ComputeTrainer : IDisposable
{
    private readonly VisionModel _model;
    private readonly optim.Optimizer _optimizer;
    private readonly int _totalSteps;
    private readonly double _maxLr;
    private int _step;

    public ComputeTrainer(VisionModel model, bool frozen, int totalSteps, double maxLr = 3e-3)
    {
        _model = model;
        _totalSteps = totalSteps;
        _maxLr = maxLr;
        if (frozen) FreezeBody(model);
        var trainable = model.parameters().Where(p => p.requires_grad).ToArray();
        _optimizer = optim.AdamW(trainable, lr: maxLr / 25, beta1: 0.9, beta2: 0.99, eps: 1e-8, weight_decay: 1e-2);
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
        foreach (var g in _optimizer.ParamGroups) g.LearningRate = OneCycleRate(_step, _totalSteps, _maxLr);
        var loss = nn.functional.cross_entropy(_model.forward(images), labels);
        var value = loss.ToSingle();
        _optimizer.zero_grad();
        loss.backward();
        _optimizer.step();
        _step++;
        return value;
    }

    // PyTorch's OneCycleLR (two phases, cosine, div 25, final div 1e4 of the start), which the Learner's schedule matches.
    private static double OneCycleRate(int step, int total, double maxLr)
    {
        double start = maxLr / 25, end = start / 1e4, peak = 0.3 * total - 1;
        step = Math.Min(step, total - 1);
        static double Cos(double a, double b, double pct) => b + (a - b) / 2 * (Math.Cos(Math.PI * pct) + 1);
        return step <= peak ? Cos(start, maxLr, peak <= 0 ? 1 : step / peak) : Cos(maxLr, end, (step - peak) / Math.Max(1e-9, total - 1 - peak));
    }

    public void Dispose() => _optimizer.Dispose();
}
