using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;

namespace MlNetVision.Training.Optimizers;

/// <summary>
/// Adam with decoupled weight decay as fastai v1 runs it (<c>OptimWrapper</c> with <c>true_wd=True</c> over
/// <c>torch.optim.Adam</c>): for each trainable parameter <c>p ← p·(1 − lr·wd)</c>, then a plain Adam step with
/// bias correction. One group per layer group; frozen parameters (<c>requires_grad == false</c>) and parameters
/// without a gradient are skipped entirely. Every update is seven whole-tensor libtorch operations.
/// </summary>
public sealed partial class AdamW : IDisposable
{
    private readonly Dictionary<Parameter, State> _state = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the optimiser with one group per entry of <paramref name="groups"/>.</summary>
    public AdamW(IEnumerable<IReadOnlyList<Parameter>> groups, AdamWOptions? options = null)
    {
        Options = options ?? new AdamWOptions();
        Groups = groups.Select(g => new ParameterGroup(g)
        {
            Beta1 = Options.Beta1,
            Beta2 = Options.Beta2,
            WeightDecay = Options.WeightDecay,
        }).ToList();
    }

    /// <summary>The options the groups started from.</summary>
    public AdamWOptions Options { get; }

    /// <summary>The parameter groups, first layer group first.</summary>
    public IReadOnlyList<ParameterGroup> Groups { get; }

    /// <summary>Sets the learning rate of each group.</summary>
    public void SetLearningRates(IReadOnlyList<double> rates)
    {
        if (rates.Count != Groups.Count) throw new ArgumentException($"Expected {Groups.Count} rates, got {rates.Count}.", nameof(rates));
        for (int i = 0; i < rates.Count; i++) Groups[i].LearningRate = rates[i];
    }

    /// <summary>Sets beta1 (momentum) of every group.</summary>
    public void SetMomentum(double beta1)
    {
        foreach (var g in Groups) g.Beta1 = beta1;
    }

    /// <summary>Sets the decoupled weight decay of every group.</summary>
    public void SetWeightDecay(double wd)
    {
        foreach (var g in Groups) g.WeightDecay = wd;
    }

    /// <summary>Clears the gradients of every parameter (sets them to none).</summary>
    public void ZeroGrad()
    {
        foreach (var g in Groups)
            foreach (var p in g.Parameters)
            {
                var grad = p.grad;
                if (grad is null) continue;
                p.grad = null;
                grad.Dispose();
            }
    }

    /// <summary>Performs one optimisation step over every trainable parameter that has a gradient.</summary>
    public void Step()
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        foreach (var g in Groups)
        {
            Tensor? oneMinusBeta1 = null;
            foreach (var p in g.Parameters)
            {
                if (!p.requires_grad) continue;
                var grad = p.grad;
                if (grad is null) continue;
                if (!_state.TryGetValue(p, out var s))
                {
                    s = new State(zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
                    _state[p] = s;
                }
                s.Step++;
                if (g.WeightDecay != 0) p.mul_(1 - g.LearningRate * g.WeightDecay);
                // Seven kernels per parameter: m ← m + (1 − β1)(g − m) is one lerp, and the bias correction of the
                // second moment moves into eps and the step size, m̂ / (√v̂ + ε) = m·√b2 / b1 / (√v + ε·√b2).
                oneMinusBeta1 ??= torch.tensor(1 - g.Beta1, dtype: p.dtype, device: p.device);
                s.ExpAvg.lerp_(grad, oneMinusBeta1);
                s.ExpAvgSq.mul_(g.Beta2).addcmul_(grad, grad, value: 1 - g.Beta2);
                var bias1 = 1 - Math.Pow(g.Beta1, s.Step);
                var sqrtBias2 = Math.Sqrt(1 - Math.Pow(g.Beta2, s.Step));
                // Disposed per parameter: one parameter-sized temporary at a time, not all of them until the scope ends.
                using var denom = s.ExpAvgSq.sqrt().add_(Options.Eps * sqrtBias2);
                p.addcdiv_(s.ExpAvg, denom, value: -g.LearningRate * sqrtBias2 / bias1);
            }
        }
    }

    /// <summary>Forgets the moving averages of every parameter (used when the set of trainable parameters changes).</summary>
    public void ResetState()
    {
        foreach (var s in _state.Values) s.Dispose();
        _state.Clear();
    }

    /// <summary>Copies the optimiser state (moving averages, step counts, hyper-parameters) so that <see cref="Restore"/> can bring it back.</summary>
    public AdamWSnapshot Snapshot()
    {
        using var noGrad = torch.no_grad();
        var states = _state.ToDictionary(
            kv => kv.Key,
            kv => new State(kv.Value.ExpAvg.clone().DetachFromDisposeScope(), kv.Value.ExpAvgSq.clone().DetachFromDisposeScope()) { Step = kv.Value.Step },
            (IEqualityComparer<Parameter>)ReferenceEqualityComparer.Instance);
        var hypers = Groups.Select(g => (g.LearningRate, g.Beta1, g.Beta2, g.WeightDecay)).ToArray();
        return new AdamWSnapshot(states, hypers);
    }

    /// <summary>Brings back the state captured by <see cref="Snapshot"/>.</summary>
    public void Restore(AdamWSnapshot snapshot)
    {
        using var noGrad = torch.no_grad();
        ResetState();
        foreach (var (p, s) in snapshot.States)
            _state[p] = new State(s.ExpAvg.clone().DetachFromDisposeScope(), s.ExpAvgSq.clone().DetachFromDisposeScope()) { Step = s.Step };
        for (int i = 0; i < Groups.Count; i++)
            (Groups[i].LearningRate, Groups[i].Beta1, Groups[i].Beta2, Groups[i].WeightDecay) = snapshot.Hypers[i];
    }

    /// <summary>Releases the state tensors.</summary>
    public void Dispose() => ResetState();

    internal sealed class State(Tensor expAvg, Tensor expAvgSq) : IDisposable
    {
        public Tensor ExpAvg { get; } = expAvg;
        public Tensor ExpAvgSq { get; } = expAvgSq;
        public long Step { get; set; }
        public void Dispose() { ExpAvg.Dispose(); ExpAvgSq.Dispose(); }
    }
}
