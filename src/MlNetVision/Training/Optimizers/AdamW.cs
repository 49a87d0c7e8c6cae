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

    /// <summary>
    /// fastai's <c>zero_grad</c>: zeroes the gradient of every trainable parameter in place, keeping it, so that the
    /// next backward pass accumulates into the same memory. Trainable parameters without a gradient get a zero one; the
    /// new gradients are views of one block (<see cref="ContiguousTensors"/>), allocated once per fit instead of once per
    /// parameter and step. A frozen parameter (<c>requires_grad == false</c>) gets none.
    /// </summary>
    public void ZeroGrad()
    {
        using var noGrad = torch.no_grad();
        List<Parameter>? missing = null;
        foreach (var g in Groups)
            foreach (var p in g.Parameters)
            {
                using var grad = p.grad;
                if (grad is not null) grad.zero_();
                else if (p.requires_grad) (missing ??= []).Add(p);
            }
        if (missing is null) return;
        var zeros = ContiguousTensors.ZerosLike(missing);
        for (int i = 0; i < missing.Count; i++)
        {
            missing[i].grad = zeros[i];
            zeros[i].Dispose(); // the parameter holds the gradient now; this was only the handle
        }
    }

    /// <summary>Frees the gradients of every parameter (sets them to none): at the end of a fit and when the trainable parameters change.</summary>
    public void ReleaseGradients()
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
        CreateMissingState();
        foreach (var g in Groups)
        {
            Tensor? oneMinusBeta1 = null;
            foreach (var p in g.Parameters)
            {
                if (!p.requires_grad) continue;
                var grad = p.grad;
                if (grad is null) continue;
                var s = _state[p];
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

    /// <summary>
    /// Gives every parameter that will be stepped and has no state yet two zero moments, all of them views of one
    /// block (<see cref="ContiguousTensors"/>): the first unfrozen step creates the body's moments together, in one
    /// mapping, not one heap block per parameter between that step's activations.
    /// </summary>
    private void CreateMissingState()
    {
        // The dictionary first: a parameter that has state costs one lookup per step, no native call.
        var missing = Groups.SelectMany(g => g.Parameters).Where(p => !_state.ContainsKey(p) && p.requires_grad && HasGrad(p)).ToList();
        if (missing.Count == 0) return;
        var zeros = ContiguousTensors.ZerosLike([.. missing, .. missing]);
        for (int i = 0; i < missing.Count; i++) _state[missing[i]] = new State(zeros[i], zeros[missing.Count + i]);
    }

    private static bool HasGrad(Parameter p)
    {
        using var grad = p.grad;
        return grad is not null;
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
        var entries = _state.ToArray();
        var copies = ContiguousTensors.Copies([.. entries.Select(e => e.Value.ExpAvg), .. entries.Select(e => e.Value.ExpAvgSq)]);
        var states = new Dictionary<Parameter, State>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < entries.Length; i++)
            states[entries[i].Key] = new State(copies[i], copies[entries.Length + i]) { Step = entries[i].Value.Step };
        var hypers = Groups.Select(g => (g.LearningRate, g.Beta1, g.Beta2, g.WeightDecay)).ToArray();
        return new AdamWSnapshot(states, hypers);
    }

    /// <summary>
    /// Brings back the state captured by <see cref="Snapshot"/>: moments of parameters the snapshot has are copied back
    /// in place, those it does not have are dropped.
    /// </summary>
    public void Restore(AdamWSnapshot snapshot)
    {
        using var noGrad = torch.no_grad();
        foreach (var p in _state.Keys.Where(p => !snapshot.States.ContainsKey(p)).ToList())
        {
            _state[p].Dispose();
            _state.Remove(p);
        }
        var missing = new List<(Parameter Parameter, State Saved)>();
        foreach (var (p, saved) in snapshot.States)
        {
            if (_state.TryGetValue(p, out var s))
            {
                s.ExpAvg.copy_(saved.ExpAvg);
                s.ExpAvgSq.copy_(saved.ExpAvgSq);
                s.Step = saved.Step;
            }
            else missing.Add((p, saved));
        }
        var copies = ContiguousTensors.Copies([.. missing.Select(m => m.Saved.ExpAvg), .. missing.Select(m => m.Saved.ExpAvgSq)]);
        for (int i = 0; i < missing.Count; i++)
            _state[missing[i].Parameter] = new State(copies[i], copies[missing.Count + i]) { Step = missing[i].Saved.Step };
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
