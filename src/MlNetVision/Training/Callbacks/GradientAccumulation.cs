namespace MlNetVision.Training.Callbacks;

/// <summary>
/// Accumulates gradients over batches until <see cref="SamplesPerStep"/> samples were seen, then takes one optimiser
/// step (fastai v2 <c>GradientAccumulation(n_acc=32)</c>): each batch's loss gradient is scaled by
/// <c>batch size / n_acc</c>, so <c>n_acc / bs</c> batches of <c>bs</c> give the gradient of one batch of <c>n_acc</c>
/// (exactly so when BatchNorm is in eval mode; in train mode each small batch uses its own statistics). A small machine
/// can so train with the effective batch size of a big one. The learning-rate schedule still moves every batch, as in
/// fastai; samples left over at the end of a fit are not stepped.
/// </summary>
public sealed class GradientAccumulation : LearnerCallback
{
    /// <summary>Default of <see cref="SamplesPerStep"/> (fastai v2 <c>n_acc=32</c>).</summary>
    public const int DefaultSamplesPerStep = 32;

    private int _count;

    /// <summary>Creates the callback; <paramref name="samplesPerStep"/> is fastai's <c>n_acc</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samplesPerStep"/> is not positive.</exception>
    public GradientAccumulation(int samplesPerStep = DefaultSamplesPerStep)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samplesPerStep);
        SamplesPerStep = samplesPerStep;
    }

    /// <summary>How many samples' gradients make one optimiser step (fastai <c>n_acc</c>).</summary>
    /// <value>The default value is 32.</value>
    public int SamplesPerStep { get; }

    /// <summary>How many optimiser steps this callback let through in the current (or last) fit.</summary>
    public int Steps { get; private set; }

    /// <inheritdoc/>
    public override void BeforeFit(Learner learner)
    {
        _count = 0;
        Steps = 0;
    }

    /// <inheritdoc/>
    public override void AfterLoss(Learner learner) => learner.State.LossScale *= BatchSize(learner) / (double)SamplesPerStep;

    /// <inheritdoc/>
    public override void AfterBackward(Learner learner)
    {
        _count += BatchSize(learner);
        if (_count < SamplesPerStep)
        {
            learner.State.SkipStep();
            return;
        }
        _count = 0;
        Steps++;
    }

    /// <summary>fastai's repr, e.g. <c>GradientAccumulation(n_acc=32)</c>.</summary>
    public override string ToString() => $"GradientAccumulation(n_acc={SamplesPerStep})";

    private static int BatchSize(Learner learner) => (int)(learner.State.Labels?.shape[0] ?? 0);
}
