namespace MlNetVision.Training.Callbacks;

/// <summary>
/// Hooks into the training loop at fastai's named events. Callbacks run in ascending <see cref="Order"/> (then in the
/// order they were added); they read and steer the loop through <see cref="Learner.State"/> (for example
/// <see cref="FitState.RequestStop"/>), never through exceptions.
/// </summary>
public abstract class LearnerCallback
{
    /// <summary>Position among callbacks; lower runs first. The <see cref="Recorder"/> runs at -100.</summary>
    /// <value>The default value is 0.</value>
    public virtual int Order => 0;

    /// <summary>Before the first epoch (<c>before_fit</c>).</summary>
    public virtual void BeforeFit(Learner learner) { }

    /// <summary>Before each epoch's training pass (<c>before_epoch</c>).</summary>
    public virtual void BeforeEpoch(Learner learner) { }

    /// <summary>Before each training batch, after the schedule set its learning rates (<c>before_batch</c>).</summary>
    public virtual void BeforeBatch(Learner learner) { }

    /// <summary>After the loss of a training batch is known (<c>after_loss</c>); <see cref="FitState.Loss"/> holds it.</summary>
    public virtual void AfterLoss(Learner learner) { }

    /// <summary>After the gradients were computed (<c>after_backward</c>).</summary>
    public virtual void AfterBackward(Learner learner) { }

    /// <summary>After the optimiser step (<c>after_step</c>).</summary>
    public virtual void AfterStep(Learner learner) { }

    /// <summary>After each training batch (<c>after_batch</c>).</summary>
    public virtual void AfterBatch(Learner learner) { }

    /// <summary>Before the validation pass of an epoch (<c>before_validate</c>).</summary>
    public virtual void BeforeValidate(Learner learner) { }

    /// <summary>After validation, when <see cref="FitState.LastEpoch"/> holds the epoch's losses and metrics (<c>after_epoch</c>).</summary>
    public virtual void AfterEpoch(Learner learner) { }

    /// <summary>After the last epoch, also when the fit stopped early or failed (<c>after_fit</c>).</summary>
    public virtual void AfterFit(Learner learner) { }
}
