using MlNetVision.Data;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using static MlNetVision.Tests.Training.TestLearners;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary><see cref="SaveModel"/> (fastai <c>SaveModelCallback</c>) on a tiny real subset.</summary>
public sealed class SaveModelTests : IDisposable
{
    private readonly FashionSample _sample = new();
    private readonly string _path;

    public SaveModelTests() => _path = _sample.Subset(6, 3);

    public void Dispose() => _sample.Dispose();

    private ImageDataBunch Tiny(int seed = 42) => TestLearners.Tiny(_path, seed);

    [Fact]
    public void Should_EndWithTheBestCheckpoint_When_SavingTheBestModel()
    {
        using var data = Tiny();
        using var learn = Create(data);
        var save = new SaveModel("valid_loss", name: "best");
        learn.Fit(2, 1e-3, callbacks: [save]);
        var validLosses = learn.Recorder.Epochs.Select(e => e.ValidLoss).ToList();
        Assert.Equal(validLosses.IndexOf(validLosses.Min()), save.Monitor.BestEpoch);
        Assert.Equal(learn.Recorder.Epochs.Min(e => e.ValidLoss), save.Monitor.Best);
        var (best, _) = Checkpoint.LoadModel(learn.CheckpointPath("best"));
        using (best)
        {
            AssertSameWeights(Weights(best), Weights(learn));
        }
    }
}
