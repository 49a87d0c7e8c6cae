using System.Text;
using System.Text.Json;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using static TorchSharp.torch;
using static MlNetVision.Tests.TestTensors;

namespace MlNetVision.Tests.Training;

/// <summary>
/// Checkpoints that resume (Learner.Resume.cs, Checkpoint.cs format 2): a seeded run stopped after an epoch and resumed
/// from its checkpoint ends with exactly the weights of a run never stopped. Fashion-MNIST sample, 32 px, 40 training
/// images in batches of 8 (5 steps an epoch), with the default augmentation and the head's dropout, so that the
/// loader's epoch and the torch generator matter.
/// </summary>
public sealed class LearnerResumeTests : IDisposable
{
    private const string Name = "resume";
    private readonly FashionSample _sample = new();
    private readonly string _path;

    public LearnerResumeTests() => _path = _sample.Subset(4, 2);

    public void Dispose() => _sample.Dispose();

    private ImageDataBunch Data() => FashionSample.Bunch(_path, size: 32, batchSize: 8, seed: 7);

    private static Learner Create(ImageDataBunch data, ResNetArchitecture? arch = null) =>
        VisionLearner.Create(data, arch ?? Architectures.ResNet18MlNet, new LearnerOptions { ProgressWriter = null, Pretrained = arch is null });

    private static Dictionary<string, Tensor> Weights(Learner learn) =>
        learn.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().clone().DetachFromDisposeScope());

    private static void AssertBitIdentical(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, value) in expected) Assert.True(Same(value, actual[name]), $"{name} differs");
    }

    private static bool Differs(Dictionary<string, Tensor> a, Dictionary<string, Tensor> b) => a.Any(kv => !Same(kv.Value, b[kv.Key]));

    /// <summary>Saves <see cref="Name"/> after every epoch, then cancels after the epoch <c>stopAfter</c> (counted across fits).</summary>
    private sealed class SaveThenCancel(CancellationTokenSource cts, int stopAfter) : LearnerCallback
    {
        public int Epochs { get; private set; }

        public override int Order => 200;

        public override void AfterEpoch(Learner learner)
        {
            learner.Save(Name);
            if (++Epochs == stopAfter) cts.Cancel();
        }
    }

    private static readonly FineTuneOptions Recipe = new()
    {
        FrozenEpochs = 2,
        FrozenLearningRate = LearningRate.Slice(1e-2),
        UnfrozenEpochs = 2,
        UnfrozenLearningRate = LearningRate.Auto,
        LrFindIterations = 6,
    };

    [Fact]
    public void Should_EndWithBitIdenticalWeights_When_AOneCycleFitIsCancelledAfterAnEpochAndResumed()
    {
        Dictionary<string, Tensor> expected;
        IReadOnlyList<EpochResult> expectedEpochs;
        using (var data = Data())
        using (var learn = Create(data))
        {
            learn.Unfreeze();
            learn.FitOneCycle(3, LearningRate.Slice(1e-4, 1e-2));
            expected = Weights(learn);
            expectedEpochs = learn.Recorder.Epochs.ToArray();
        }

        Dictionary<string, Tensor> atStop;
        using (var data = Data())
        using (var learn = Create(data))
        using (var cts = new CancellationTokenSource())
        {
            learn.Unfreeze();
            Assert.ThrowsAny<OperationCanceledException>(() =>
                learn.FitOneCycle(3, LearningRate.Slice(1e-4, 1e-2), callbacks: [new SaveThenCancel(cts, 1)], cancellationToken: cts.Token));
            atStop = Weights(learn);
        }
        var info = Checkpoint.ReadInfo(Path.Combine(_path, "models", Name + Checkpoint.Extension));
        var fit = info.Training!.Fit!;
        Assert.Equal((1, 3, 5, 15, CheckpointFitPosition.OneCycleSchedule), (fit.EpochsCompleted, fit.Epochs, fit.Iteration, fit.TotalIterations, fit.Schedule));
        Assert.Equal(1, info.Training.LoaderEpoch);
        Assert.Equal(0, info.Training.FrozenGroups);
        Assert.True(info.Training.OptimizerStates > 50, $"{info.Training.OptimizerStates} parameter states");

        using (var data = Data())
        using (var learn = Create(data))
        {
            Assert.Equal(2, learn.FrozenGroups); // cnn_learner's frozen body; the checkpoint unfreezes it
            learn.Resume(Name);
            Assert.Equal(0, learn.FrozenGroups);
            AssertBitIdentical(expected, Weights(learn));
            // The resumed epochs validate exactly as the uninterrupted run's epochs 1 and 2.
            Assert.Equal(expectedEpochs.Skip(1).Select(e => (e.Epoch, e.ValidLoss)), learn.Recorder.Epochs.Select(e => (e.Epoch, e.ValidLoss)));
        }
        Assert.True(Differs(expected, atStop), "the stopped run's weights already equal the final ones: the test would not notice a resume that did nothing");

        // Without the training state (weights only, optimiser and generator afresh) the same remaining epochs end elsewhere:
        // what the test compares is sensitive to what the checkpoint adds.
        using (var data = Data())
        using (var learn = Create(data))
        {
            learn.Load(Name);
            learn.Unfreeze();
            data.Train.Epoch = 1;
            learn.ContinueFit(fit, null, CancellationToken.None);
            Assert.True(Differs(expected, Weights(learn)), "a weights-only resume matched too");
        }
    }

    /// <summary>Saves <c>epoch-N</c> after the N-th epoch (counted across the recipe's phases), what a run stopped then leaves.</summary>
    private sealed class SaveEachEpoch : LearnerCallback
    {
        private int _epochs;

        public override int Order => 200;

        public override void AfterEpoch(Learner learner) => learner.Save($"epoch-{++_epochs}");
    }

    [Fact]
    public void Should_EndWithBitIdenticalWeights_When_TheFineTuneRecipeIsResumedInRightAfterOrPastTheFrozenPhase()
    {
        // One uninterrupted run leaves the checkpoint of every epoch; a run stopped after epoch N leaves epoch-N as it is
        // (the one-cycle test and the CLI test stop runs for real).
        Dictionary<string, Tensor> expected;
        using (var data = Data())
        using (var learn = Create(data))
        {
            FineTuneRecipe.Run(learn, Recipe, [new SaveEachEpoch()]);
            expected = Weights(learn);
        }

        // 1: in the frozen phase; 2: right after it (the finder and the unfrozen phase still to run); 3: in the unfrozen phase.
        foreach (var stopAfter in new[] { 1, 2, 3 })
        {
            var name = $"epoch-{stopAfter}";
            var fit = Checkpoint.ReadInfo(Path.Combine(_path, "models", name + Checkpoint.Extension)).Training!.Fit!;
            Assert.Equal(stopAfter <= 2 ? FineTuneStepKind.Frozen : FineTuneStepKind.Unfrozen, fit.Phase);
            Assert.Equal(stopAfter <= 2 ? stopAfter : stopAfter - 2, fit.EpochsCompleted);

            using var data = Data();
            using var learn = Create(data);
            var steps = new List<FineTuneStepKind>();
            var result = FineTuneRecipe.Resume(learn, name, Recipe, runStep: (step, run) => { steps.Add(step.Kind); run(); });
            Assert.Equal(stopAfter switch
            {
                1 => [FineTuneStepKind.Frozen, FineTuneStepKind.LrFind, FineTuneStepKind.Unfrozen],
                2 => [FineTuneStepKind.LrFind, FineTuneStepKind.Unfrozen],
                _ => new[] { FineTuneStepKind.Unfrozen },
            }, steps);
            Assert.Equal(0, learn.FrozenGroups);
            Assert.Equal(stopAfter == 3 ? 1 : 2, result.Unfrozen!.Epochs.Count);
            AssertBitIdentical(expected, Weights(learn));
        }
    }

    [Fact]
    public void Should_RefuseWithAClearMessage_When_ResumingFromAnotherArchitectureClassListOrRecipe()
    {
        using (var data = Data())
        using (var learn = Create(data))
        using (var cts = new CancellationTokenSource())
            Assert.ThrowsAny<OperationCanceledException>(() => FineTuneRecipe.Run(learn, Recipe, [new SaveThenCancel(cts, 1)], cancellationToken: cts.Token));

        using (var data = Data())
        using (var other = Create(data, Architectures.ResNet18))
        {
            var arch = Assert.Throws<CheckpointMismatchException>(() => FineTuneRecipe.Resume(other, Name, Recipe));
            Assert.Contains("holds a resnet18-mlnet model; this learner is resnet18", arch.Message);
        }

        var fewer = _sample.Subset(4, 2, ["bag", "coat", "dress"]);
        Directory.CreateDirectory(Path.Combine(fewer, "models"));
        File.Copy(Path.Combine(_path, "models", Name + Checkpoint.Extension), Path.Combine(fewer, "models", Name + Checkpoint.Extension));
        using (var data = FashionSample.Bunch(fewer, size: 32, batchSize: 8, seed: 7))
        using (var three = Create(data))
        {
            var classes = Assert.Throws<CheckpointMismatchException>(() => FineTuneRecipe.Resume(three, Name, Recipe));
            Assert.Contains("trained on 10 classes", classes.Message);
            Assert.Contains("has 3 (bag, coat, dress)", classes.Message);
        }

        using (var data = FashionSample.Bunch(_path, size: 48, batchSize: 8, seed: 7))
        using (var bigger = Create(data))
        {
            var size = Assert.Throws<CheckpointMismatchException>(() => bigger.Load(Name, withTrainingState: true));
            Assert.Contains("trained at 32x32; this learner's data is 48x48", size.Message);
        }

        using (var data = Data())
        using (var learn = Create(data))
        {
            var before = Weights(learn);
            var recipe = Assert.Throws<CheckpointMismatchException>(() => FineTuneRecipe.Resume(learn, Name, new FineTuneOptions { FrozenEpochs = 3, UnfrozenEpochs = 2 }));
            Assert.Contains("with other settings (frozen 2 at slice(0.01)", recipe.Message);
            Assert.Contains("resume with the same settings (frozen 3", recipe.Message);
            AssertBitIdentical(before, Weights(learn)); // refused before touching the learner
            var plain = Assert.Throws<InvalidOperationException>(() => learn.Resume(Name));
            Assert.Contains("FineTuneRecipe.Resume", plain.Message);
        }
    }

    [Fact]
    public void Should_LoadAFormatOneCheckpointAndRefuseToResumeIt_When_TheFileHasNoTrainingState()
    {
        using var data = Data();
        using var learn = Create(data);
        learn.Fit(1, 1e-3);
        var expected = Weights(learn);
        // A format-1 file as the previous release wrote it: magic, version 1, JSON header, the state dict; nothing after.
        var v2 = learn.Save("v2");
        var header = Checkpoint.ReadInfo(v2) with { Training = null };
        var v1 = Path.Combine(_path, "models", "v1" + Checkpoint.Extension);
        using (var file = File.Create(v1))
        using (var writer = new BinaryWriter(file, Encoding.UTF8))
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(header);
            writer.Write("MLNVCKPT"u8);
            writer.Write(1);
            writer.Write(json.Length);
            writer.Write(json);
            learn.Model.save(writer);
        }
        Assert.Null(Checkpoint.ReadInfo(v1).Training);

        using var fresh = Create(data);
        fresh.Load("v1");
        AssertBitIdentical(expected, Weights(fresh));
        var resume = Assert.Throws<InvalidOperationException>(() => fresh.Resume("v1"));
        Assert.Contains("holds weights only", resume.Message);

        // A format-2 checkpoint saved outside an epoch end holds the optimiser state but no position; a weights-only one neither.
        var noPosition = Assert.Throws<InvalidOperationException>(() => fresh.Resume("v2"));
        Assert.Contains("not saved at the end of an epoch", noPosition.Message);
        learn.Save("weights", withTrainingState: false);
        Assert.Null(Checkpoint.ReadInfo(learn.CheckpointPath("weights")).Training);
        // Frozen body: only the head's parameters have Adam state; the file grows by their two moving averages and the generator.
        var momentBytes = learn.Optimizer.ExportState().Sum(s => 2 * s.ExpAvg.NumberOfElements * 4);
        Assert.True(momentBytes > 0);
        Assert.InRange(new FileInfo(v2).Length - new FileInfo(learn.CheckpointPath("weights")).Length, momentBytes, momentBytes + 20_000);
        Assert.Equal(Checkpoint.FormatVersion, BitConverter.ToInt32(File.ReadAllBytes(v2), 8));
    }

    [Fact]
    public void Should_RestoreTheOptimiserGeneratorAndLoader_When_LoadingWithTrainingState()
    {
        using var data = Data();
        using var learn = Create(data);
        learn.FreezeTo(1);
        learn.Fit(1, 1e-3);
        learn.Save("state");
        var moments = learn.Optimizer.ExportState().ToDictionary(s => (s.Group, s.Index), s => (s.Step, s.ExpAvg.clone(), s.ExpAvgSq.clone()));
        using var draw = rand(8);

        using var fresh = Create(data);
        data.Train.Epoch = 0;
        fresh.Load("state", withTrainingState: true);
        Assert.Equal(1, fresh.FrozenGroups);
        Assert.Equal(1, data.Train.Epoch);
        var restored = fresh.Optimizer.ExportState();
        Assert.Equal(moments.Count, restored.Count);
        foreach (var s in restored)
        {
            var (step, avg, avgSq) = moments[(s.Group, s.Index)];
            Assert.Equal(step, s.Step);
            Assert.True(Same(avg, s.ExpAvg) && Same(avgSq, s.ExpAvgSq), $"moments of {s.Group}/{s.Index}");
        }
        Assert.Equal(learn.Optimizer.Groups.Select(g => (g.LearningRate, g.Beta1, g.Beta2, g.WeightDecay)),
            fresh.Optimizer.Groups.Select(g => (g.LearningRate, g.Beta1, g.Beta2, g.WeightDecay)));
        using var again = rand(8); // the generator is back where it was when saved
        Assert.True(Same(draw, again));
    }
}
