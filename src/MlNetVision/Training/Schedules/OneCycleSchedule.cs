namespace MlNetVision.Training.Schedules;

/// <summary>
/// The one-cycle policy per batch step: learning rate cosine-annealed from <c>maxLr / divFactor</c> up to <c>maxLr</c>,
/// then down to <c>maxLr / finalDiv</c>; momentum (Adam's beta1) the other way, <c>0.95 → 0.85 → 0.95</c>.
/// Phase boundaries follow PyTorch's <c>OneCycleLR</c> (<c>three_phase=False</c>): the peak is at step
/// <c>pctStart · total − 1</c> and the last step reaches <c>maxLr / finalDiv</c> exactly. fastai v1's
/// <c>OneCycleScheduler</c> peaks one step later (at <c>int(pctStart · total)</c>) and stops one step short of the end
/// value; see docs/LEARNER.md.
/// </summary>
public sealed class OneCycleSchedule
{
    private readonly double[] _maxLrs;
    private readonly double _peakStep;

    /// <summary>Creates the schedule for <paramref name="totalSteps"/> batches.</summary>
    /// <param name="totalSteps">Number of optimiser steps (batches × epochs).</param>
    /// <param name="maxLrs">Peak learning rate of each layer group.</param>
    /// <param name="options">Shape of the cycle; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="totalSteps"/> is not positive.</exception>
    public OneCycleSchedule(int totalSteps, IReadOnlyList<double> maxLrs, OneCycleOptions? options = null)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "A cycle needs at least one step.");
        Options = options ?? new OneCycleOptions();
        Options.Validate();
        TotalSteps = totalSteps;
        _maxLrs = maxLrs.ToArray();
        _peakStep = Options.PctStart * totalSteps - 1;
    }

    /// <summary>The number of steps of the whole cycle.</summary>
    public int TotalSteps { get; }

    /// <summary>The cycle's shape.</summary>
    public OneCycleOptions Options { get; }

    /// <summary>The learning rate of each layer group at <paramref name="step"/> (0-based).</summary>
    public double[] LearningRates(int step)
    {
        var (first, position) = Locate(step);
        var rates = new double[_maxLrs.Length];
        for (int g = 0; g < rates.Length; g++)
        {
            var max = _maxLrs[g];
            var initial = max / Options.DivFactor;
            var final = max / Options.FinalDivFactor;
            rates[g] = first ? Annealing.Cos(initial, max, position) : Annealing.Cos(max, final, position);
        }
        return rates;
    }

    /// <summary>The momentum (Adam's beta1) at <paramref name="step"/> (0-based).</summary>
    public double Momentum(int step)
    {
        var (first, position) = Locate(step);
        var (high, low) = Options.Moms;
        return first ? Annealing.Cos(high, low, position) : Annealing.Cos(low, high, position);
    }

    // PyTorch OneCycleLR.get_lr: phase 1 ends at float(pct_start * total_steps) - 1, phase 2 at total_steps - 1.
    private (bool First, double Position) Locate(int step)
    {
        step = Math.Clamp(step, 0, TotalSteps - 1);
        if (step <= _peakStep)
            return (true, _peakStep <= 0 ? 1 : step / _peakStep);
        var span = (TotalSteps - 1) - _peakStep;
        return (false, span <= 0 ? 1 : (step - _peakStep) / span);
    }
}
