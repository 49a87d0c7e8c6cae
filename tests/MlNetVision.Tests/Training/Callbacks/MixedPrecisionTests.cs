using MlNetVision.Data;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary>fastai's <c>to_fp16</c> without autocast: bf16 forward and backward, fp32 masters stepped by the optimiser.</summary>
public sealed class MixedPrecisionTests : IDisposable
{
    private readonly FashionSample _sample = new();
    private readonly string _path;
    private readonly ITestOutputHelper _output;

    public MixedPrecisionTests(ITestOutputHelper output)
    {
        _output = output;
        _path = _sample.Subset(16, 4, ["bag", "coat", "sandal", "trouser"]); // 64 train, 16 valid images
    }

    public void Dispose() => _sample.Dispose();

    private ImageDataBunch Bunch() => FashionSample.Bunch(_path, size: 32, batchSize: 16);

    /// <summary>Records, during training batches, the dtypes and gradients of the half copy and of the learner's model.</summary>
    private sealed class Probe(int stopAfterSteps = int.MaxValue) : LearnerCallback
    {
        private int _steps;

        public HashSet<ScalarType> HalfWeightTypes { get; } = [];
        public HashSet<ScalarType> HalfBatchNormTypes { get; } = [];
        public HashSet<ScalarType> MasterTypes { get; } = [];
        public HashSet<ScalarType> MasterGradTypes { get; } = [];
        public HashSet<ScalarType> LogitTypes { get; } = [];
        public int HalfGradientsLeft { get; private set; }
        public int MasterGradients { get; private set; }
        public Dictionary<string, bool> HalfRequiresGrad { get; } = [];
        public float[][]? HalfProbabilities { get; private set; }

        public override int Order => MixedPrecision.DefaultOrder + 1;

        public override void AfterLoss(Learner learner)
        {
            if (!learner.State.Training) return;
            var half = learner.MixedPrecision!.HalfModel!;
            foreach (var (_, module) in half.named_modules())
            {
                if (module is Conv2d conv) HalfWeightTypes.Add(conv.weight.dtype);
                if (module is Linear linear) HalfWeightTypes.Add(linear.weight.dtype);
                if (module is BatchNorm2d bn) HalfBatchNormTypes.Add(bn.weight!.dtype);
                if (module is BatchNorm1d bn1) HalfBatchNormTypes.Add(bn1.weight!.dtype);
            }
            foreach (var (name, p) in half.named_parameters()) HalfRequiresGrad[name] = p.requires_grad;
            foreach (var t in learner.Model.state_dict().Values.Where(t => t.is_floating_point())) MasterTypes.Add(t.dtype);
            using var noGrad = no_grad();
            using var logits = half.call(learner.State.Images!);
            LogitTypes.Add(logits.dtype);
        }

        public override void AfterBackward(Learner learner)
        {
            HalfGradientsLeft += learner.MixedPrecision!.HalfModel!.parameters().Count(p => p.grad is not null);
            foreach (var p in learner.Model.parameters())
            {
                using var grad = p.grad;
                if (grad is null) continue;
                MasterGradients++;
                MasterGradTypes.Add(grad.dtype);
            }
        }

        public override void AfterStep(Learner learner)
        {
            if (++_steps >= stopAfterSteps) learner.State.RequestStop("probe: enough steps", immediately: true);
        }

        // The last epoch's validation set through the bf16 copy, in eval mode (after validation, before AfterFit drops it).
        public override void AfterEpoch(Learner learner)
        {
            if (learner.State.Epoch != learner.State.Epochs - 1) return;
            var rows = new List<float[]>();
            foreach (var batch in learner.Data.Valid)
                using (batch)
                    rows.AddRange(ModelInference.Probabilities(learner.MixedPrecision!.HalfModel!, batch.Images));
            HalfProbabilities = rows.ToArray();
        }
    }

    [Fact]
    public void Should_TrainBf16WeightsAndStepFp32Masters_When_MixedPrecisionIsOn()
    {
        using var data = Bunch();
        using var learn = TestLearners.Create(data, options: new LearnerOptions { MixedPrecision = true });
        Assert.NotNull(learn.MixedPrecision);
        var before = learn.Validate().ValidLoss;
        var probe = new Probe();
        learn.FitOneCycle(3, callbacks: [probe]);
        var after = learn.State.LastEpoch!.ValidLoss;
        _output.WriteLine($"valid_loss {before:F4} -> {after:F4}; train_loss {learn.Recorder.SmoothLosses[0]:F4} -> {learn.Recorder.SmoothLosses[^1]:F4}");

        Assert.True(after < before, $"valid_loss {before} -> {after}");
        Assert.True(learn.Recorder.SmoothLosses[^1] < learn.Recorder.SmoothLosses[0]);
        Assert.Equal(ScalarType.BFloat16, learn.MixedPrecision!.HalfType);
        Assert.Equal([ScalarType.BFloat16], probe.HalfWeightTypes);
        Assert.Equal([ScalarType.Float32], probe.HalfBatchNormTypes);
        Assert.Equal([ScalarType.Float32], probe.MasterTypes);
        Assert.Equal([ScalarType.Float32], probe.LogitTypes);
        Assert.Equal([ScalarType.Float32], probe.MasterGradTypes);
        Assert.True(probe.MasterGradients > 0);
        Assert.Equal(0, probe.HalfGradientsLeft); // every half gradient moved into its master
        Assert.Null(learn.MixedPrecision.HalfModel); // released after the fit
        Assert.All(learn.Model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void Should_LoadInAnFp32LearnerAndPredictAsTheBf16Copy_When_SavedAfterAMixedFit()
    {
        using var data = Bunch();
        using var mixed = TestLearners.Create(data).ToBf16();
        var probe = new Probe();
        mixed.FitOneCycle(2, callbacks: [probe]);
        var path = mixed.Save("mixed");
        var mixedPreds = mixed.GetPreds();

        var (saved, _) = Checkpoint.LoadModel(path);
        using (saved)
            Assert.All(saved.state_dict().Values.Where(t => t.is_floating_point()), t => Assert.Equal(ScalarType.Float32, t.dtype));

        using var fresh = TestLearners.Create(data);
        Assert.Null(fresh.MixedPrecision);
        fresh.Load("mixed");
        var freshPreds = fresh.GetPreds();
        // The checkpoint is the fp32 masters: an fp32 learner predicts bit for bit what the mixed learner predicts.
        Assert.Equal(mixedPreds.Targets, freshPreds.Targets);
        for (int i = 0; i < freshPreds.Probabilities.Length; i++) Assert.Equal(mixedPreds.Probabilities[i], freshPreds.Probabilities[i]);

        // And within bf16's precision of what the half copy itself computed at the end of the fit.
        var half = probe.HalfProbabilities!;
        Assert.Equal(freshPreds.Probabilities.Length, half.Length);
        var maxDiff = half.Zip(freshPreds.Probabilities).Max(r => r.First.Zip(r.Second).Max(v => Math.Abs(v.First - v.Second)));
        _output.WriteLine($"largest |p_bf16 - p_fp32| over {half.Length} valid images: {maxDiff:G4}");
        Assert.True(maxDiff < 0.05, $"bf16 and fp32 probabilities differ by {maxDiff}");
    }

    [Fact]
    public void Should_KeepTheFrozenBodyAndTrainItAfterUnfreeze_When_Mixed()
    {
        using var data = Bunch();
        using var learn = TestLearners.Create(data).ToBf16();
        const string bodyConv = "body.layer1.0.conv1.weight", bodyBn = "body.layer1.0.bn1.weight", head = "head.8.weight";
        var start = TestLearners.Weights(learn);
        var frozen = new Probe();
        learn.Fit(1, 1e-3, callbacks: [frozen]);
        var afterFrozen = TestLearners.Weights(learn);
        Assert.Equal(start[bodyConv], afterFrozen[bodyConv]);
        Assert.NotEqual(start[bodyBn], afterFrozen[bodyBn]); // train_bn
        Assert.NotEqual(start[head], afterFrozen[head]);
        Assert.False(frozen.HalfRequiresGrad[bodyConv]);
        Assert.True(frozen.HalfRequiresGrad[bodyBn]);
        Assert.True(frozen.HalfRequiresGrad[head]);

        learn.Unfreeze();
        var unfrozen = new Probe(stopAfterSteps: 1); // one bf16 step of the whole network is enough to see it train
        learn.Fit(1, LearningRate.Slice(1e-4, 1e-3), callbacks: [unfrozen]);
        Assert.True(unfrozen.HalfRequiresGrad[bodyConv]);
        Assert.NotEqual(afterFrozen[bodyConv], TestLearners.Weights(learn)[bodyConv]);

        learn.ToFp32();
        Assert.Null(learn.MixedPrecision);
    }

    [Fact]
    public void Should_ScaleTheLossAndStepTheMasters_When_Fp16()
    {
        using var data = Bunch();
        using var learn = TestLearners.Create(data).ToFp16();
        var start = TestLearners.Weights(learn);
        var probe = new Probe(stopAfterSteps: 2);
        var scales = new List<double>();
        learn.Fit(1, 1e-3, callbacks: [probe, new LossScaleProbe(scales)]);
        var scaler = learn.MixedPrecision!.LossScale!;
        _output.WriteLine($"loss scales {string.Join(", ", scales)}; overflows {scaler.Overflows}; scale now {scaler.Scale}");
        Assert.Equal([ScalarType.Float16], probe.HalfWeightTypes);
        Assert.Equal([ScalarType.Float32], probe.MasterGradTypes);
        Assert.Equal(65536 / Math.Pow(2, scaler.Overflows), scaler.Scale);
        Assert.Equal(DynamicLossScale.DefaultInitialScale, scales[0]);
        Assert.NotEqual(start["head.8.weight"], TestLearners.Weights(learn)["head.8.weight"]);
        Assert.All(TestLearners.Weights(learn).Values, w => Assert.All(w, v => Assert.True(float.IsFinite(v))));
    }

    /// <summary>The loss scale each training batch's backward pass used.</summary>
    private sealed class LossScaleProbe(List<double> scales) : LearnerCallback
    {
        public override int Order => 50; // after GradientAccumulation (0) and MixedPrecision (-20) set it

        public override void AfterLoss(Learner learner)
        {
            if (learner.State.Training) scales.Add(learner.State.LossScale);
        }
    }

    [Fact]
    public void Should_AccumulateFp32MasterGradients_When_CombinedWithGradientAccumulation()
    {
        using var data = Bunch();
        using var learn = TestLearners.Create(data).ToBf16();
        var accumulation = new GradientAccumulation(samplesPerStep: 32);
        var scales = new List<double>();
        var start = TestLearners.Weights(learn);
        learn.Fit(1, 1e-3, callbacks: [accumulation, new LossScaleProbe(scales)]);
        Assert.Equal(2, accumulation.Steps); // 4 batches of 16, one step per 32 samples
        Assert.All(scales, s => Assert.Equal(0.5, s)); // bf16 adds no loss scale to GradientAccumulation's 16/32
        Assert.NotEqual(start["head.8.weight"], TestLearners.Weights(learn)["head.8.weight"]);
    }

    [Fact]
    public void Should_HalveOnOverflowAndDoubleAfterTheWindow_When_ScalingTheLoss()
    {
        var scale = new DynamicLossScale();
        Assert.Equal(65536, scale.Scale);
        Assert.Equal(DynamicLossScale.DefaultScaleWindow, scale.ScaleWindow);
        Assert.False(scale.Update(overflow: true));
        Assert.Equal(32768, scale.Scale);
        for (int i = 0; i < 499; i++) Assert.True(scale.Update(overflow: false));
        Assert.Equal(32768, scale.Scale);
        Assert.True(scale.Update(overflow: false));
        Assert.Equal(65536, scale.Scale);
        Assert.Equal(1, scale.Overflows);
        var small = new DynamicLossScale(initialScale: 2, scaleWindow: 3);
        small.Update(true);
        small.Update(true);
        Assert.Equal(1, small.Scale); // never below 1
        Assert.Throws<ArgumentOutOfRangeException>(() => new DynamicLossScale(0.5));
    }

    [Fact]
    public void Should_DescribeTheCallbackAndItsDefaults_When_Created()
    {
        var callback = new MixedPrecision();
        Assert.Null(callback.RequestedType);
        Assert.Null(callback.LossScale);
        Assert.Equal(-20, callback.Order);
        Assert.Equal(ScalarType.BFloat16, MixedPrecision.DefaultHalfType(CPU));
        Assert.Equal("MixedPrecision(dtype=auto)", callback.ToString());
        Assert.Equal("MixedPrecision(dtype=fp16)", new MixedPrecision(ScalarType.Float16).ToString());
        Assert.Throws<ArgumentException>(() => new MixedPrecision(ScalarType.Float64));
        Assert.Equal(["MixedPrecision(dtype=auto)"], new FineTuneOptions { MixedPrecision = true }.CreateCallbacks().Select(c => c.ToString()));
    }
}
