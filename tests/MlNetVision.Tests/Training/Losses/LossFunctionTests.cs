using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Training;
using MlNetVision.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Training.Losses;

/// <summary>The losses against their closed forms on known logits, and the learner using the one it is given.</summary>
public sealed class LossFunctionTests
{
    private static readonly double[][] Logits = [[1.0, 2.0, 3.0, -1.0], [0.0, 0.0, 0.0, 0.0], [5.0, -2.0, 0.5, 1.5]];
    private static readonly long[] Targets = [2, 0, 3];

    public LossFunctionTests() => NativeBackend.EnsureLoaded();

    /// <summary>log softmax of one row, in double.</summary>
    private static double[] LogSoftmax(double[] row)
    {
        var max = row.Max();
        var lse = max + Math.Log(row.Sum(x => Math.Exp(x - max)));
        return row.Select(x => x - lse).ToArray();
    }

    /// <summary>Label smoothing written out: cross-entropy against the target 1 − ε + ε/C on the true class and ε/C elsewhere.</summary>
    private static double SmoothedClosedForm(double[] row, long target, double eps)
    {
        var logP = LogSoftmax(row);
        int c = row.Length;
        double loss = 0;
        for (int j = 0; j < c; j++) loss -= (j == target ? 1 - eps + eps / c : eps / c) * logP[j];
        return loss;
    }

    private static (Tensor Logits, Tensor Targets) Batch() =>
        (tensor(Logits.SelectMany(r => r.Select(v => (float)v)).ToArray(), [Logits.Length, Logits[0].Length]), tensor(Targets));

    [Fact]
    public void Should_MatchClosedForm_When_LabelSmoothingOnKnownLogits()
    {
        using var scope = NewDisposeScope();
        var (logits, targets) = Batch();
        var loss = new LabelSmoothingCrossEntropy();
        var expected = Logits.Select((r, i) => SmoothedClosedForm(r, Targets[i], 0.1)).ToArray();

        var perItem = loss.Compute(logits, targets, nn.Reduction.None).data<float>().ToArray();
        Assert.Equal(expected.Length, perItem.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], perItem[i], 5);
        Assert.Equal(expected.Average(), loss.Compute(logits, targets).ToSingle(), 5);
        Assert.Equal(expected.Sum(), loss.Compute(logits, targets, nn.Reduction.Sum).ToSingle(), 5);
        // Row 2 (all logits equal) is log C whatever eps is: the smoothed target still sums to one.
        Assert.Equal(Math.Log(4), perItem[1], 5);
    }

    [Fact]
    public void Should_EqualPlainCrossEntropy_When_EpsIsZero()
    {
        using var scope = NewDisposeScope();
        var (logits, targets) = Batch();
        var plain = new CrossEntropyFlat().Compute(logits, targets, nn.Reduction.None).data<float>().ToArray();
        var smoothed = new LabelSmoothingCrossEntropy(0).Compute(logits, targets, nn.Reduction.None).data<float>().ToArray();
        var closedForm = Logits.Select((r, i) => -LogSoftmax(r)[Targets[i]]).ToArray();
        for (int i = 0; i < plain.Length; i++)
        {
            Assert.Equal(closedForm[i], plain[i], 5);
            Assert.Equal(closedForm[i], smoothed[i], 5);
        }
    }

    [Fact]
    public void Should_GiveSmoothedTargetsGradient_When_Backpropagated()
    {
        // d loss / d logits = softmax − smoothed target: the closed form of the gradient, per item (mean divides by B).
        using var scope = NewDisposeScope();
        var (logits, targets) = Batch();
        logits.requires_grad_(true);
        new LabelSmoothingCrossEntropy(0.2).Compute(logits, targets).backward();
        var grad = logits.grad!.data<float>().ToArray();
        for (int i = 0; i < Logits.Length; i++)
        {
            var p = LogSoftmax(Logits[i]).Select(Math.Exp).ToArray();
            for (int j = 0; j < p.Length; j++)
            {
                var target = (j == Targets[i] ? 0.8 : 0) + 0.2 / p.Length;
                Assert.Equal((p[j] - target) / Logits.Length, grad[i * p.Length + j], 5);
            }
        }
    }

    [Fact]
    public void Should_RefuseEps_When_OutsideZeroToOne()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LabelSmoothingCrossEntropy(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LabelSmoothingCrossEntropy(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LabelSmoothingCrossEntropy(double.NaN));
    }

    [Fact]
    public void Should_UseFastAiDefaults_When_LossOptionsAreNew()
    {
        Assert.IsType<CrossEntropyFlat>(new LearnerOptions().Loss);
        Assert.Equal(0.1, LabelSmoothingCrossEntropy.DefaultEps);
        Assert.Equal(0.1, new LabelSmoothingCrossEntropy().Eps);
    }

    [Fact]
    public void Should_ValidateWithTheChosenLoss_When_LearnerUsesLabelSmoothing()
    {
        using var sample = new FashionSample();
        var path = sample.Subset(2, 3, ["bag", "coat", "dress"]);
        using var data = FashionSample.Bunch(path, size: 32, batchSize: 4);
        using var learn = VisionLearner.Create(data, Architectures.ResNet18MlNet,
            new LearnerOptions { ProgressWriter = null, Loss = new LabelSmoothingCrossEntropy(0.3) });

        var validLoss = learn.Validate().ValidLoss;
        // The same loss from the probabilities: −(ε/C) Σ log p − (1 − ε) log p_target, averaged.
        var preds = learn.GetPreds();
        int c = data.Classes.Count;
        var expected = preds.Probabilities.Select((p, i) =>
            -0.3 / c * p.Sum(x => Math.Log(x)) - 0.7 * Math.Log(p[preds.Targets[i]])).Average();
        var plain = preds.Losses.Average();
        Assert.Equal(expected, validLoss, 3);
        Assert.NotEqual(plain, validLoss, 2);
    }
}
