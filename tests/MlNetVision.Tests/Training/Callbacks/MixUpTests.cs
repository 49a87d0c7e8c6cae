using MlNetVision.Training;
using MlNetVision.Training.Callbacks;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary>fastai's <c>MixUp</c>: the mixed batch's images and loss against their formulas.</summary>
public sealed class MixUpTests
{
    [Fact]
    public void Should_MixImagesAndLossByLambda_When_TrainingWithMixUp()
    {
        using var tiny = new TinyScratchLearner(trainPerClass: 4);
        var learn = tiny.Learner;
        var mixUp = new MixUp();
        var before = new UnmixedBatchRecorder();
        var after = new MixedBatchRecorder(mixUp, batches: 2);
        learn.Fit(1, 1e-3, callbacks: [mixUp, before, after]);

        Assert.Equal(2, after.Batches.Count);
        var lambdas = new List<float>();
        for (int b = 0; b < 2; b++)
        {
            var (images, labels) = before.Batches[b];
            var batch = after.Batches[b];
            var (mixed, lambda, shuffle) = (batch.Mixed, batch.Lambda, batch.Shuffle);
            int n = labels.Length, size = images.Length / n;
            Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), shuffle.Order());
            Assert.All(lambda, l => Assert.InRange(l, 0.5f, 1f));
            lambdas.AddRange(lambda);
            double worst = 0;
            for (int i = 0; i < n; i++)
                for (int k = 0; k < size; k++)
                {
                    var want = lambda[i] * images[i * size + k] + (1 - lambda[i]) * images[shuffle[i] * size + k];
                    worst = Math.Max(worst, Math.Abs(want - mixed[i * size + k]));
                }
            Assert.True(worst <= 1e-5, $"batch {b}: mixed pixels differ from λ·x + (1 − λ)·x_s by {worst}");
            Assert.Equal(batch.Expected, batch.Loss, 4);
        }
        Assert.True(lambdas.Distinct().Count() > 8, "each item draws its own λ");
        Assert.Contains(after.Batches, batch => batch.Shuffle.Where((s, i) => s != i).Any());
    }

    [Fact]
    public void Should_UseFastAiDefault_When_CreatedWithoutArguments()
    {
        Assert.Equal(0.4, MixUp.DefaultAlpha);
        Assert.Equal(0.4, new MixUp().Alpha);
        Assert.Equal("MixUp(alpha=0.4)", new MixUp().ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new MixUp(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MixUp(double.NaN));
    }
}
