namespace MlNetVision.Training.Callbacks;

/// <summary>
/// Hooks into the training loop at fastai's named events. Callbacks run in ascending <see cref="Order"/> (then in the
/// order they were added); they read and steer the loop through <see cref="Learner.State"/> (for example
/// <see cref="FitState.RequestStop"/>), never through exceptions. As in fastai, the batch events (<see cref="BeforeBatch"/>,
/// <see cref="AfterLoss"/>, <see cref="AfterBatch"/>) also run for every validation batch, with <see cref="FitState.Training"/>
/// <see langword="false"/>; <see cref="AfterBackward"/> and <see cref="AfterStep"/> run for training batches only.
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

    /// <summary>Before each batch (<c>before_batch</c>); for training batches, after the schedule set its learning rates.</summary>
    public virtual void BeforeBatch(Learner learner) { }

    /// <summary>After the loss of a batch is known (<c>after_loss</c>); <see cref="FitState.Loss"/> holds it (the batch mean).</summary>
    public virtual void AfterLoss(Learner learner) { }

    /// <summary>After the gradients were computed (<c>after_backward</c>).</summary>
    public virtual void AfterBackward(Learner learner) { }

    /// <summary>After the optimiser step (<c>after_step</c>).</summary>
    public virtual void AfterStep(Learner learner) { }

    /// <summary>After each batch, training or validation (<c>after_batch</c>).</summary>
    public virtual void AfterBatch(Learner learner) { }

    /// <summary>Before the validation pass of an epoch (<c>before_validate</c>).</summary>
    public virtual void BeforeValidate(Learner learner) { }

    /// <summary>After the validation pass of an epoch, before its row is made (<c>after_validate</c>).</summary>
    public virtual void AfterValidate(Learner learner) { }

    /// <summary>After validation, when <see cref="FitState.LastEpoch"/> holds the epoch's losses and metrics (<c>after_epoch</c>).</summary>
    public virtual void AfterEpoch(Learner learner) { }

    /// <summary>After the last epoch, also when the fit stopped early or failed (<c>after_fit</c>).</summary>
    public virtual void AfterFit(Learner learner) { }
}
