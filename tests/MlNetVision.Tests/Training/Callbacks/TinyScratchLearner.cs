using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Training;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary>A randomly initialised ResNet18 learner on four Fashion-MNIST classes at 32 px, batches of 8, in a temporary folder.</summary>
internal sealed class TinyScratchLearner : IDisposable
{
    private readonly FashionSample _sample = new();

    public TinyScratchLearner(int trainPerClass)
    {
        Data = FashionSample.Bunch(_sample.Subset(trainPerClass, 2, ["bag", "coat", "sandal", "trouser"]), size: 32, batchSize: 8);
        Learner = VisionLearner.Create(Data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });
    }

    public ImageDataBunch Data { get; }

    public Learner Learner { get; }

    public void Dispose()
    {
        Learner.Dispose();
        Data.Dispose();
        _sample.Dispose();
    }
}
