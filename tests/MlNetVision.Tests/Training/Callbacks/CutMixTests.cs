using MlNetVision.Training;
using MlNetVision.Training.Callbacks;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary>fastai's <c>CutMix</c>: the box's pixels, λ as the box's area and the loss against their formulas.</summary>
public sealed class CutMixTests
{
    [Fact]
    public void Should_PasteTheShuffledBoxAndWeighTheLossByItsArea_When_TrainingWithCutMix()
    {
        using var tiny = new TinyScratchLearner(trainPerClass: 8);
        var learn = tiny.Learner;
        var cutMix = new CutMix();
        var before = new UnmixedBatchRecorder();
        var after = new MixedBatchRecorder(cutMix, batches: 4);
        learn.Fit(1, 1e-3, callbacks: [cutMix, before, after]);

        Assert.Equal(4, after.Batches.Count);
        const int side = 32;
        for (int b = 0; b < after.Batches.Count; b++)
        {
            var (images, labels) = before.Batches[b];
            var batch = after.Batches[b];
            var (x1, y1, x2, y2) = batch.Box!.Value;
            int n = labels.Length, size = images.Length / n;
            Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), batch.Shuffle.Order());
            Assert.InRange(x1, 0, x2);
            Assert.InRange(y1, 0, y2);
            Assert.InRange(x2, x1, side);
            Assert.InRange(y2, y1, side);
            var lambda = 1 - (x2 - x1) * (y2 - y1) / (double)(side * side);
            Assert.All(batch.Lambda, l => Assert.Equal(lambda, l, 6));
            int wrong = 0;
            for (int i = 0; i < n; i++)
                for (int k = 0; k < size; k++)
                {
                    int x = k % side, y = k / side % side;
                    var inBox = x >= x1 && x < x2 && y >= y1 && y < y2;
                    var want = inBox ? images[batch.Shuffle[i] * size + k] : images[i * size + k];
                    if (want != batch.Mixed[i * size + k]) wrong++;
                }
            Assert.True(wrong == 0, $"batch {b}: {wrong} pixels are not the shuffled image's inside box {batch.Box} and the original's outside");
            Assert.Equal(batch.Expected, batch.Loss, 4);
        }
        Assert.Contains(after.Batches, batch => batch.Lambda[0] is > 0.05f and < 0.95f);
        Assert.Equal(4, after.Batches.Select(batch => batch.Box).Distinct().Count());
    }

    [Theory]
    [InlineData(0.75, 16, 16, 8, 8, 24, 24)]  // √0.25 = 0.5: a 16×16 box in the middle, λ stays 0.75
    [InlineData(0.75, 0, 0, 0, 0, 8, 8)]      // clipped at the corner: 8×8, λ becomes 1 − 64/1024
    [InlineData(0.0, 31, 5, 15, 0, 32, 21)]   // λ 0: the whole side, clipped on both axes
    [InlineData(1.0, 10, 10, 10, 10, 10, 10)] // λ 1: an empty box
    public void Should_CutFastAisBox_When_GivenLambdaAndCentre(double lambda, int cx, int cy, int x1, int y1, int x2, int y2)
    {
        Assert.Equal((x1, y1, x2, y2), CutMix.RandomBox(32, 32, lambda, cx, cy));
    }

    [Fact]
    public void Should_UseFastAiDefault_When_CreatedWithoutArguments()
    {
        Assert.Equal(1.0, CutMix.DefaultAlpha);
        Assert.Equal(1.0, new CutMix().Alpha);
        Assert.Equal("CutMix(alpha=1)", new CutMix().ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CutMix(-1));
    }
}
