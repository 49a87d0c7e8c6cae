using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.MlNet;
using MlNetVision.Native;
using MlNetVision.Training;

namespace MlNetVision.Tests.MlNet;

/// <summary>fastai v2's extras through the estimator's options: label smoothing, MixUp and gradient accumulation reach the recipe.</summary>
public sealed class VisionClassifierExtrasTests
{
    private static readonly string[] Classes = ["trouser", "bag", "sneaker"];

    public VisionClassifierExtrasTests() => NativeBackend.EnsureLoaded();

    [Fact]
    public void Should_ValidateWithTheSmoothedLossAndLogTheCallbacks_When_ExtrasAreSet()
    {
        const double eps = 0.1;
        var ml = new MLContext(seed: 0);
        var log = new List<string>();
        ml.Log += (_, e) => { lock (log) if (e.Source.StartsWith(VisionClassifierTrainer.RegistrationName, StringComparison.Ordinal)) log.Add(e.RawMessage); };
        var toKey = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(SampleData.Rows("train", Classes, perClass: 16)));
        var train = toKey.Transform(ml.Data.LoadFromEnumerable(SampleData.Rows("train", Classes, perClass: 16)));
        var valid = toKey.Transform(ml.Data.LoadFromEnumerable(SampleData.Rows("valid", Classes, perClass: 5)));
        var epochs = new List<EpochResult>();
        var trainer = ml.MulticlassClassification.Trainers.VisionClassifier(new VisionClassifierOptions
        {
            ImageSize = 32, BatchSize = 8, FrozenEpochs = 1, UnfrozenEpochs = 0, Augmentation = false, ValidationSet = valid, MetricsCallback = epochs.Add,
            LabelSmoothing = eps, MixUpAlpha = 0.4, AccumulateSamples = 16,
        });
        var model = trainer.Fit(train);

        string[] messages;
        lock (log) messages = [.. log];
        Assert.Contains(messages, m => m.Contains("loss_func=label_smoothing_cross_entropy(eps=0.1), cbs=[MixUp(alpha=0.4), GradientAccumulation(n_acc=16)]"));

        // The epoch's valid_loss is label-smoothed cross-entropy, −(ε/C)·Σ log p_c − (1 − ε)·log p_y, of the returned model's
        // probabilities (ONNX Runtime); plain cross-entropy of the same probabilities is larger or smaller by a known amount.
        var scores = model.Transform(valid).GetColumn<float[]>("Score").ToList();
        var labels = valid.GetColumn<uint>("Label").Select(k => (int)k - 1).ToList();
        double smoothed = 0, plain = 0;
        for (int i = 0; i < scores.Count; i++)
        {
            var logs = scores[i].Select(p => Math.Log(p)).ToArray();
            smoothed += -eps / logs.Length * logs.Sum() - (1 - eps) * logs[labels[i]];
            plain += -logs[labels[i]];
        }
        smoothed /= scores.Count;
        plain /= scores.Count;
        var validLoss = Assert.Single(epochs).ValidLoss;
        Assert.Equal(smoothed, validLoss, 3);
        Assert.True(Math.Abs(plain - smoothed) > 1e-2, $"plain {plain:0.0000} and smoothed {smoothed:0.0000} cross-entropy should differ");
    }
}
