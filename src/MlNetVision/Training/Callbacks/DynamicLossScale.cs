namespace MlNetVision.Training.Callbacks;

/// <summary>
/// fastai v1's dynamic loss scaling for fp16 training (<c>MixedPrecision(loss_scale=2**16, dynamic=True, scale_wait=500)</c>):
/// the loss is multiplied by <see cref="Scale"/> before the backward pass so that small fp16 gradients do not flush to
/// zero; a step whose gradients overflow is skipped and halves the scale, and <see cref="ScaleWindow"/> clean steps in a
/// row double it. A pure state machine: <see cref="MixedPrecision"/> feeds it one overflow flag per backward pass.
/// </summary>
public sealed class DynamicLossScale
{
    /// <summary>Default of <see cref="InitialScale"/>: 2^16 (fastai v1 <c>loss_scale=2**16</c>).</summary>
    public const double DefaultInitialScale = 65536;

    /// <summary>Default of <see cref="ScaleWindow"/> (fastai v1 <c>scale_wait=500</c>).</summary>
    public const int DefaultScaleWindow = 500;

    private int _cleanSteps;

    /// <summary>Creates the scaler at <paramref name="initialScale"/>, doubling after <paramref name="scaleWindow"/> clean steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is not positive.</exception>
    public DynamicLossScale(double initialScale = DefaultInitialScale, int scaleWindow = DefaultScaleWindow)
    {
        if (!(initialScale >= 1) || double.IsInfinity(initialScale)) throw new ArgumentOutOfRangeException(nameof(initialScale), initialScale, "The scale must be a finite number of at least 1.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scaleWindow);
        InitialScale = initialScale;
        ScaleWindow = scaleWindow;
        Scale = initialScale;
    }

    /// <summary>The scale the loss starts with.</summary>
    /// <value>The default value is 65536 (2^16).</value>
    public double InitialScale { get; }

    /// <summary>Clean steps in a row after which the scale doubles.</summary>
    /// <value>The default value is 500.</value>
    public int ScaleWindow { get; }

    /// <summary>The current loss scale (never below 1).</summary>
    public double Scale { get; private set; }

    /// <summary>How many backward passes overflowed (and had their step skipped) so far.</summary>
    public int Overflows { get; private set; }

    /// <summary>
    /// Records one backward pass: with <paramref name="overflow"/> the scale halves (down to 1) and the clean count
    /// restarts; otherwise the clean count grows and at <see cref="ScaleWindow"/> the scale doubles.
    /// </summary>
    /// <returns>Whether the step may be taken (<see langword="false"/> after an overflow).</returns>
    public bool Update(bool overflow)
    {
        if (overflow)
        {
            Scale = Math.Max(1, Scale / 2);
            _cleanSteps = 0;
            Overflows++;
            return false;
        }
        if (++_cleanSteps >= ScaleWindow)
        {
            Scale *= 2;
            _cleanSteps = 0;
        }
        return true;
    }
}
