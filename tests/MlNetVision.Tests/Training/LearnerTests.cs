using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Rendering;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using MlNetVision.Training.Metrics;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Training;

/// <summary>The learner's mechanics on a tiny real subset (6 train + 3 valid images per class, 32 px).</summary>
public sealed class LearnerTests : IDisposable
{
    private readonly FashionSample _sample = new();
    private readonly string _path;

    public LearnerTests() => _path = _sample.Subset(6, 3);

    public void Dispose() => _sample.Dispose();

    private ImageDataBunch Tiny(int seed = 42) => FashionSample.Bunch(_path, size: 32, batchSize: 16, seed: seed);

    private static Learner Create(ImageDataBunch data, bool pretrained = true, LearnerOptions? options = null) => TestLearners.Create(data, pretrained, options);

    private static Dictionary<string, float[]> Weights(Learner learn) => TestLearners.Weights(learn);

    private static void AssertSameWeights(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual) => TestLearners.AssertSameWeights(expected, actual);

    [Fact]
    public void Should_FreezeAllButBatchNormAndHead_When_PretrainedLearnerIsCreated()
    {
        using var data = Tiny();
        using var learn = Create(data);
        Assert.Equal(2, learn.FrozenGroups);
        Assert.Equal(3, learn.LayerGroups.Count);
        Assert.False(learn.IsTrainable("body.conv1.weight"));
        Assert.True(learn.IsTrainable("body.bn1.weight"));
        Assert.False(learn.IsTrainable("body.layer4.1.conv2.weight"));
        Assert.True(learn.IsTrainable("body.layer4.1.bn2.bias"));
        Assert.All(learn.LayerGroups[2], p => Assert.True(p.Parameter.requires_grad));

        learn.FreezeTo(1);
        Assert.False(learn.IsTrainable("body.layer1.0.conv1.weight"));
        Assert.True(learn.IsTrainable("body.layer3.0.conv1.weight"));
        learn.Unfreeze();
        Assert.All(learn.LayerGroups.SelectMany(g => g), p => Assert.True(p.Parameter.requires_grad, p.Name));
        learn.Freeze();
        Assert.Equal(2, learn.FrozenGroups);

        using var noBn = Create(data, options: new LearnerOptions { TrainBn = false });
        Assert.False(noBn.IsTrainable("body.bn1.weight"));
        Assert.All(noBn.LayerGroups[2], p => Assert.True(p.Parameter.requires_grad, p.Name));
    }

    [Fact]
    public void Should_KeepGradientsAndMomentsInOneBlockAndReleaseTheGradients_When_AnUnfrozenFitEnds()
    {
        using var data = Tiny();
        using var learn = Create(data);
        learn.Unfreeze();
        var probe = new BlockProbe();
        learn.Fit(1, 1e-4, callbacks: [probe]);
        var trainable = learn.Model.parameters().Count();
        // Views of one block: each tensor starts where the previous one ends (separate allocations all start at 0).
        Assert.Equal(trainable, probe.GradientOffsets.Count);
        Assert.Equal(probe.Expected, probe.GradientOffsets);
        Assert.Equal([.. probe.Expected, .. probe.Expected.Select(o => o + probe.Total)], probe.MomentOffsets);
        Assert.Equal(data.Train.BatchCount, probe.SameGradientsEveryStep);
        Assert.All(learn.Model.parameters(), p => Assert.True(p.grad is null, "gradients are released when the fit ends"));
    }

    [Fact]
    public void Should_CountEveryTrainingStepAndValidationBatchTowardsTheTrimCycle_When_TheHeapPolicyApplies()
    {
        using var data = Tiny();
        using var learn = Create(data);
        if (MlNetVision.Native.GlibcHeap.Applied is not { Applied: true, TrimEverySteps: > 0 }) return; // not glibc, or the run opted out
        var before = MlNetVision.Native.GlibcHeap.StepsCounted;
        learn.Fit(1, 1e-3);
        Assert.Equal(data.Train.BatchCount + data.Valid.BatchCount, MlNetVision.Native.GlibcHeap.StepsCounted - before);
    }

    private sealed class BlockProbe : LearnerCallback
    {
        private long[]? _first;
        public List<long> GradientOffsets { get; } = [];
        public List<long> MomentOffsets { get; } = [];
        public List<long> Expected { get; } = [];
        public long Total { get; private set; }
        public int SameGradientsEveryStep { get; private set; }

        public override void AfterBackward(Learner learner)
        {
            var grads = learner.Model.parameters().Select(p => p.grad!).ToArray();
            var offsets = grads.Select(g => g.storage_offset()).ToArray();
            if (_first is null)
            {
                _first = offsets;
                GradientOffsets.AddRange(offsets);
                foreach (var g in grads) { Expected.Add(Total); Total += g.NumberOfElements; }
            }
            if (offsets.SequenceEqual(_first)) SameGradientsEveryStep++;
        }

        public override void AfterStep(Learner learner)
        {
            if (MomentOffsets.Count > 0) return;
            var states = learner.Optimizer.ExportState();
            MomentOffsets.AddRange(states.Select(s => s.ExpAvg.storage_offset()));
            MomentOffsets.AddRange(states.Select(s => s.ExpAvgSq.storage_offset()));
        }
    }

    [Fact]
    public void Should_GiveFrozenParametersNoGradientAndKeepThem_When_Training()
    {
        using var data = Tiny();
        using var learn = Create(data);
        var before = Weights(learn);
        learn.Fit(1, 1e-3);
        var after = Weights(learn);
        var conv = learn.LayerGroups[0].First(p => p.Name == "body.conv1.weight").Parameter;
        Assert.Null(conv.grad);
        Assert.True(before["body.conv1.weight"].AsSpan().SequenceEqual(after["body.conv1.weight"]));
        Assert.False(before["body.bn1.weight"].AsSpan().SequenceEqual(after["body.bn1.weight"]));
        Assert.False(before[learn.LayerGroups[2][^1].Name].AsSpan().SequenceEqual(after[learn.LayerGroups[2][^1].Name]));
        Assert.Equal(data.Train.BatchCount, learn.Recorder.LearningRates.Count);
        Assert.All(learn.Recorder.LearningRates, lrs => Assert.Equal([1e-3, 1e-3, 1e-3], lrs));
    }

    [Fact]
    public void Should_SuggestARateInRangeAndRestoreEverything_When_FindingTheLearningRate()
    {
        using var data = Tiny();
        using var learn = Create(data);
        learn.FreezeTo(1);
        var before = Weights(learn);
        var frozen = learn.LayerGroups.SelectMany(g => g).Select(p => p.Parameter.requires_grad).ToArray();

        var loaderEpoch = data.Train.Epoch;
        var result = learn.LrFind(startLr: 1e-5, endLr: 10, numIt: 20);

        AssertSameWeights(before, Weights(learn));
        Assert.Equal(frozen, learn.LayerGroups.SelectMany(g => g).Select(p => p.Parameter.requires_grad));
        Assert.Equal(1, learn.FrozenGroups);
        Assert.Equal(loaderEpoch, data.Train.Epoch);
        Assert.InRange(result.LearningRates.Count, 5, 20);
        Assert.Equal(1e-5, result.LearningRates[0], 1e-12);
        for (int i = 1; i < result.LearningRates.Count; i++)
            Assert.Equal(1e-5 * Math.Pow(1e6, i / 20.0), result.LearningRates[i], 1e-9 * result.LearningRates[i]);
        Assert.NotNull(result.Suggested);
        Assert.InRange(result.Suggested!.Value, result.LearningRates[0], result.LearningRates[^1]);
        Assert.InRange(result.Steepest!.Value, result.LearningRates[0], result.LearningRates[^1]);
        Assert.InRange(result.MinimumDiv10!.Value, result.LearningRates[0] / 10, result.LearningRates[^1] / 10);

        var png = RecorderPlots.LrFind(result, Path.Combine(_path, "lr_find.png"), 600, 400);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(600, bitmap.Width);
    }

    [Fact]
    public void Should_PredictTheSame_When_LoadingASavedCheckpointIntoAFreshLearner()
    {
        using var data = Tiny();
        using var learn = Create(data);
        learn.Fit(1, 1e-3);
        var path = learn.Save("stage-1");
        Assert.Equal(Path.Combine(data.Path, "models", "stage-1.ckpt"), path);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
        var image = data.Valid.Items[0].Path;
        var expected = learn.Predict(image);

        using var fresh = Create(data, pretrained: false);
        Assert.NotEqual(expected.Probabilities, fresh.Predict(image).Probabilities);
        fresh.Load("stage-1");
        var actual = fresh.Predict(image);
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.Class, data.Classes[expected.Index]);
        Assert.Equal(expected.Probabilities, actual.Probabilities);
        Assert.Equal(expected.Probabilities, fresh.Predict(File.ReadAllBytes(image)).Probabilities);
        AssertSameWeights(Weights(learn), Weights(fresh));

        var (model, info) = Checkpoint.LoadModel(path);
        using (model)
        {
            Assert.Equal(data.Classes, info.Classes);
            Assert.Equal(32, info.ImageSize);
            Assert.Equal(Architectures.ResNet18MlNet.Name, info.Architecture);
            Assert.Equal("Crop", info.ResizeMethod);
        }
    }

    [Fact]
    public void Should_FailClearly_When_LoadingACheckpointOfOtherClassesOrArchitecture()
    {
        using var data = Tiny();
        using var learn = Create(data);
        learn.Save("ten-classes");

        var fewer = _sample.Subset(6, 3, ["bag", "coat", "dress"]);
        Directory.CreateDirectory(Path.Combine(fewer, "models"));
        File.Copy(learn.CheckpointPath("ten-classes"), Path.Combine(fewer, "models", "ten-classes.ckpt"));
        using var threeData = FashionSample.Bunch(fewer, 32, 16);
        using var three = Create(threeData);
        var classes = Assert.Throws<CheckpointMismatchException>(() => three.Load("ten-classes"));
        Assert.Contains("10 classes", classes.Message);

        using var other = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });
        var arch = Assert.Throws<CheckpointMismatchException>(() => other.Load("ten-classes"));
        Assert.Contains("resnet18-mlnet", arch.Message);
        Assert.Throws<FileNotFoundException>(() => other.Load("missing"));
    }

    [Fact]
    public void Should_ProduceIdenticalWeights_When_TrainingTwiceWithTheSameSeed()
    {
        Dictionary<string, float[]> Run()
        {
            using var data = Tiny(seed: 7);
            using var learn = Create(data, options: new LearnerOptions { Seed = 7 });
            learn.Unfreeze();
            learn.FitOneCycle(1, 1e-3);
            return Weights(learn);
        }
        AssertSameWeights(Run(), Run());
    }

    [Fact]
    public void Should_StopAndRestoreTheWeights_When_TheLossDiverges()
    {
        using var data = Tiny();
        using var learn = Create(data);
        learn.Unfreeze();
        var before = Weights(learn);
        var ex = Assert.Throws<TrainingDivergedException>(() => learn.Fit(2, 1e12));
        Assert.Contains("learning rate", ex.Message);
        AssertSameWeights(before, Weights(learn));
    }

    [Fact]
    public void Should_FireForwardHooksOfSubmodules_When_TrainingValidatingAndPredicting()
    {
        using var data = Tiny();
        using var learn = Create(data);
        var layer4 = (TorchSharp.torch.nn.Module<Tensor, Tensor>)learn.Model.named_modules().Single(m => m.name == "body.layer4").module;
        var shapes = new List<long[]>();
        var hook = layer4.register_forward_hook((_, _, output) => { shapes.Add(output.shape); return output; });
        learn.Fit(1, 1e-4);
        // One call per training batch and per validation batch: the loop invokes the model with call(), and so does the body.
        Assert.Equal(data.Train.BatchCount + data.Valid.BatchCount, shapes.Count);
        Assert.All(shapes, s => Assert.Equal(512, s[1]));
        shapes.Clear();
        learn.Predict(data.Valid.Items[0].Path);
        Assert.Equal([1L, 512, 1, 1], Assert.Single(shapes));
        hook.remove();
        learn.Predict(data.Valid.Items[0].Path);
        Assert.Single(shapes);
    }

    [Fact]
    public void Should_TrainTheHeadThenEverythingWithASlice_When_FineTuning()
    {
        using var data = Tiny();
        using var learn = Create(data);
        learn.FineTune(1, baseLr: 2e-3, freezeEpochs: 1);
        Assert.Equal(0, learn.FrozenGroups);
        Assert.Equal(2, learn.Recorder.FitHistory.Count);
        // Second phase: slice(2e-3/2/100, 2e-3/2) over three groups, ending at max/(5·1e4) (div 5).
        var first = learn.Recorder.LearningRates[0];
        Assert.Equal(100, first[2] / first[0], 1e-9);
        Assert.Equal(10, first[1] / first[0], 1e-9);
        Assert.Equal(1e-3 / 5e4, learn.Recorder.LearningRates[^1][2], 1e-18);
        Assert.All(learn.Recorder.LearningRates, lrs => Assert.True(lrs[2] <= 1e-3 * (1 + 1e-12)));
    }

    [Fact]
    public void Should_AverageZoomedViews_When_UsingTestTimeAugmentation()
    {
        using var data = Tiny();
        using var learn = Create(data);
        var plain = learn.GetPreds();
        var tta = learn.TTA();
        Assert.Equal(plain.Targets, tta.Targets);
        Assert.All(tta.Probabilities, p => Assert.Equal(1f, p.Sum(), 3));
        Assert.NotEqual(plain.Probabilities[0], tta.Probabilities[0]);
        var same = learn.TTA(beta: 1);
        Assert.Equal(plain.Probabilities[0], same.Probabilities[0], new FloatComparer(1e-5f));
    }

    [Fact]
    public void Should_UseFastAiDefaults_When_LearnerOptionsAreNew()
    {
        var o = new LearnerOptions();
        Assert.True(o.Pretrained);
        Assert.IsType<ErrorRate>(Assert.Single(o.Metrics));
        Assert.Equal(0.01, o.WeightDecay);
        Assert.True(o.TrainBn);
        Assert.Null(o.Seed);
        Assert.Equal("models", o.ModelDirectory);
        Assert.Empty(o.Callbacks);
        Assert.Null(o.Progress);
        Assert.Same(Console.Out, o.ProgressWriter);
        Assert.Equal([512], o.Head.HiddenSizes);
        Assert.Equal(0.9, o.Optimizer.Beta1);
        Assert.Null(o.Weights);
        Assert.Equal("auto", o.Device);
        Assert.Equal(LearnerOptions.DefaultDevice, o.Device);
        Assert.False(o.MixedPrecision);
        Assert.Equal(LearnerOptions.DefaultMixedPrecision, o.MixedPrecision);
        Assert.False(o.AutoBatchSize);
        Assert.Same(Console.Error, o.Log);
    }

    private sealed class FloatComparer(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
