using MlNetVision.Training;
using MlNetVision.Training.Callbacks;

namespace MlNetVision.MlNet;

/// <summary>Before every batch (training, validation, learning-rate finder), turns the context's <c>CancelExecution()</c> into a cancelled token, so the loop stops within one batch.</summary>
internal sealed class ContextCancellation(Func<bool> isCanceled, CancellationTokenSource source) : LearnerCallback
{
    public override int Order => -200;

    public override void BeforeBatch(Learner learner)
    {
        if (isCanceled()) source.Cancel();
    }
}
