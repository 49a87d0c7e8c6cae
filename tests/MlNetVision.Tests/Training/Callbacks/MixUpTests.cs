using MlNetVision.Models;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary>fastai's <c>MixUp</c>: the mixed batch's images and loss against their formulas, and validation left un-mixed.</summary>
public sealed class MixUpTests : IDisposable
{
    private readonly FashionSample _sample = new();
    private readonly string _path;

    public MixUpTests() => _path = _sample.Subset(4, 2, ["bag", "coat", "sandal", "trouser"]);

    public void Dispose() => _sample.Dispose();

    private static float[] Values(Tensor t) => t.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();

    /// <summary>Takes the original batch before MixUp runs (and keeps the model in eval mode so the loss can be recomputed).</summary>
    private sealed class BeforeMix : LearnerCallback
    {
        public List<(float[] Images, long[] Labels)> Batches { get; } = [];
        public override int Order => -50;

        public override void BeforeBatch(Learner learner)
        {
            learner.Model.eval();
            Batches.Add((Values(learner.State.Images!), learner.State.Labels!.data<long>().ToArray()));
        }
    }

    /// <summary>Takes the mixed batch, λ, the permutation and the loss the loop computed, and recomputes the loss by hand.</summary>
    private sealed class AfterMix(MixUp mixUp, int batches) : LearnerCallback
    {
        public List<(float[] Mixed, float[] Lambda, long[] Shuffle, float Loss, double Expected)> Batches { get; } = [];
        private float[] _mixed = [], _lambda = [];
        private long[] _shuffle = [];
        public override int Order => 50;

        public override void BeforeBatch(Learner learner)
        {
            _mixed = Values(learner.State.Images!);
            _lambda = Values(mixUp.Lambda!);
            _shuffle = mixUp.Shuffle!.data<long>().ToArray();
        }

        public override void AfterLoss(Learner learner)
        {
            // λ·CE(ŷ, y) + (1 − λ)·CE(ŷ, y_s), averaged, from the logits of the mixed images, in double.
            double[] logits;
            using (no_grad()) logits = learner.Model.forward(learner.State.Images!).to_type(ScalarType.Float64).data<double>().ToArray();
            var labels = learner.State.Labels!.data<long>().ToArray();
            int n = labels.Length, c = logits.Length / n;
            double total = 0;
            for (int i = 0; i < n; i++)
            {
                var row = logits.AsSpan(i * c, c).ToArray();
                var lse = row.Max() + Math.Log(row.Sum(v => Math.Exp(v - row.Max())));
                double own = lse - row[labels[i]], partner = lse - row[labels[_shuffle[i]]];
                total += _lambda[i] * own + (1 - _lambda[i]) * partner;
            }
            Batches.Add((_mixed, _lambda, _shuffle, learner.State.Loss, total / n));
            if (Batches.Count == batches) learner.State.RequestStop("enough batches", immediately: true);
        }
    }

    [Fact]
    public void Should_MixImagesAndLossByLambda_When_TrainingWithMixUp()
    {
        using var data = FashionSample.Bunch(_path, size: 32, batchSize: 8);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });
        var mixUp = new MixUp();
        var before = new BeforeMix();
        var after = new AfterMix(mixUp, batches: 2);
        learn.Fit(1, 1e-3, callbacks: [mixUp, before, after]);

        Assert.Equal(2, after.Batches.Count);
        var lambdas = new List<float>();
        for (int b = 0; b < 2; b++)
        {
            var (images, labels) = before.Batches[b];
            var (mixed, lambda, shuffle, loss, expected) = after.Batches[b];
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
            Assert.Equal(expected, loss, 4);
        }
        Assert.True(lambdas.Distinct().Count() > 8, "each item draws its own λ");
        Assert.Contains(after.Batches, batch => batch.Shuffle.Where((s, i) => s != i).Any());
    }

    [Fact]
    public void Should_ValidateOnUnmixedTargets_When_TrainingWithMixUp()
    {
        using var data = FashionSample.Bunch(_path, size: 32, batchSize: 8);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });
        learn.Fit(1, 1e-3, callbacks: [new MixUp()]);

        var epoch = learn.Recorder.Epochs.Single();
        var preds = learn.GetPreds();
        var plainLoss = preds.Losses.Average();
        var errorRate = preds.Probabilities.Select((p, i) => Array.IndexOf(p, p.Max()) == preds.Targets[i] ? 0.0 : 1.0).Average();
        Assert.Equal(plainLoss, epoch.ValidLoss, 4);
        Assert.Equal(errorRate, epoch.Metrics.Single(m => m.Key == "error_rate").Value, 6);
        Assert.Equal(epoch.ValidLoss, learn.Validate().ValidLoss, 6);
    }

    [Fact]
    public void Should_UseFastAiDefault_When_CreatedWithoutArguments()
    {
        Assert.Equal(0.4, MixUp.DefaultAlpha);
        Assert.Equal(0.4, new MixUp().Alpha);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MixUp(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MixUp(double.NaN));
    }
}
