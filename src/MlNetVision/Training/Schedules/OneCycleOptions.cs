namespace MlNetVision.Training.Schedules;

/// <summary>The shape of a one-cycle schedule; defaults are fastai v1's <c>fit_one_cycle</c> (train.py).</summary>
public sealed class OneCycleOptions
{
    /// <summary>Default of <see cref="DivFactor"/>.</summary>
    public const double DefaultDivFactor = 25;

    /// <summary>Default of <see cref="PctStart"/>.</summary>
    public const double DefaultPctStart = 0.3;

    /// <summary>The starting learning rate is <c>maxLr / DivFactor</c>.</summary>
    /// <value>The default value is 25 (fastai v1 <c>fit_one_cycle(div_factor=25.)</c>).</value>
    public double DivFactor { get; set; } = DefaultDivFactor;

    /// <summary>Share of the steps spent warming up to the peak.</summary>
    /// <value>The default value is 0.3 (fastai v1 <c>fit_one_cycle(pct_start=0.3)</c>).</value>
    public double PctStart { get; set; } = DefaultPctStart;

    /// <summary>The final learning rate is <c>maxLr / FinalDiv</c>; <see langword="null"/> means <c>DivFactor · 1e4</c>.</summary>
    /// <value>The default value is <see langword="null"/>, i.e. 25·1e4 (fastai v1 <c>final_div=None</c> → <c>div_factor*1e4</c>).</value>
    public double? FinalDiv { get; set; }

    /// <summary>Momentum (Adam's beta1) at the start and end of the cycle, and at its peak learning rate.</summary>
    /// <value>The default value is (0.95, 0.85) (fastai v1 <c>fit_one_cycle(moms=(0.95,0.85))</c>).</value>
    public (double High, double Low) Moms { get; set; } = (0.95, 0.85);

    /// <summary>The effective final divisor, <see cref="FinalDiv"/> or <c>DivFactor · 1e4</c>.</summary>
    public double FinalDivFactor => FinalDiv ?? DivFactor * 1e4;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is outside its range.</exception>
    public void Validate()
    {
        if (!(DivFactor > 0)) throw new ArgumentOutOfRangeException(nameof(DivFactor), DivFactor, "Must be positive.");
        if (!(PctStart > 0 && PctStart < 1)) throw new ArgumentOutOfRangeException(nameof(PctStart), PctStart, "Must be in (0, 1).");
        if (!(FinalDivFactor > 0)) throw new ArgumentOutOfRangeException(nameof(FinalDiv), FinalDiv, "Must be positive.");
    }
}
