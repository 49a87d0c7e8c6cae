using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary>Takes each training batch before a <see cref="MixHandler"/> mixes it, and keeps the model in eval mode so the loss can be recomputed.</summary>
internal sealed class UnmixedBatchRecorder : LearnerCallback
{
    public List<(float[] Images, long[] Labels)> Batches { get; } = [];

    public override int Order => -50;

    public static float[] Values(Tensor t) => t.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();

    public override void BeforeBatch(Learner learner)
    {
        if (!learner.State.Training) return;
        learner.Model.eval();
        Batches.Add((Values(learner.State.Images!), learner.State.Labels!.data<long>().ToArray()));
    }
}
