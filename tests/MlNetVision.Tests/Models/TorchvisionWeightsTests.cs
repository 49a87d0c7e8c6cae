using Microsoft.ML;
using MlNetVision.Data;
using MlNetVision.MlNet;
using MlNetVision.Models;
using MlNetVision.Onnx;
using MlNetVision.Tests.Training;
using MlNetVision.Training;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Models;

/// <summary>torchvision weights written by PyTorch 1.13 in test setup, loaded through <see cref="VisionLearner.Create"/>.</summary>
public sealed class TorchvisionWeightsTests : IClassFixture<TorchvisionFixture>, IDisposable
{
    private readonly TorchvisionFixture _torchvision;
    private readonly FashionSample _sample = new();
    private readonly string _path;

    public TorchvisionWeightsTests(TorchvisionFixture torchvision)
    {
        _torchvision = torchvision;
        _path = _sample.Subset(2, 1, ["bag", "sneaker"]);
    }

    public void Dispose() => _sample.Dispose();

    private ImageDataBunch Data() => FashionSample.Bunch(_path, size: TorchvisionFixture.Size, batchSize: 2);

    private static Learner Create(ImageDataBunch data, string arch, string weights, TextWriter? log = null) =>
        VisionLearner.Create(data, Architectures.Get(arch), new LearnerOptions { Weights = weights, Device = "cpu", ProgressWriter = null, Log = log ?? TextWriter.Null });

    private float[] OurFeatures(Learner learner)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        learner.Model.eval();
        return learner.Model.Features(_torchvision.Batch()).mean([2, 3]).flatten().data<float>().ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = expected.Max(Math.Abs);
        float maxDiff = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(scale > 1e-3f, $"features should not be trivial (max {scale})");
        Assert.True(maxDiff <= 1e-4f * scale, $"max abs difference {maxDiff} vs feature scale {scale} (relative {maxDiff / scale:E2})");
    }

    [Theory]
    [InlineData("resnet34", 512)]
    [InlineData("resnet50", 2048)]
    public void Should_GivePyTorchsPooledFeatures_When_ALearnerStartsFromTorchvisionWeights(string arch, int features)
    {
        using var data = Data();
        using var learner = Create(data, arch, _torchvision.StateDict(arch));

        var expected = _torchvision.Features(arch);
        Assert.Equal(features, expected.Length);
        AssertClose(expected, OurFeatures(learner));
        Assert.Equal(2, learner.FrozenGroups); // starts frozen, as with shipped weights
        Assert.False(learner.IsTrainable("body.layer1.0.conv1.weight"));
        Assert.StartsWith(_torchvision.StateDict(arch), learner.Model.WeightsSource);
    }

    [Fact]
    public void Should_ScoreAsTorchSharpDoes_When_StockMlNetRunsTheExportedResNet50()
    {
        using var data = Data();
        using var learner = Create(data, "resnet50", _torchvision.StateDict("resnet50"));
        var expected = learner.Predict(_torchvision.ImagePath).Probabilities;

        var onnx = OnnxExporter.Export(learner.Model, Path.Combine(_torchvision.Folder, "resnet50.onnx"), new OnnxExportOptions
        {
            BatchLayout = OnnxBatchLayout.SingleImage,
            Height = TorchvisionFixture.Size,
            Width = TorchvisionFixture.Size,
            ClassNames = data.Classes.ToArray(),
        });
        var ml = new MLContext(seed: 1);
        using var model = OnnxScoringPipeline.Create(ml, onnx, data.Classes.ToArray(), TorchvisionFixture.Size);
        var rows = ml.Data.LoadFromEnumerable([new MlNet.OnnxScoringPipelineTests.ImageRow { ImagePath = _torchvision.ImagePath }]);
        var score = ml.Data.CreateEnumerable<ScoreRow>(model.Transform(rows), reuseRowObject: false).Single().Score;

        Assert.Equal(expected.Length, score.Length);
        var maxDiff = expected.Zip(score, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1e-4f, $"ML.NET's Score differs from TorchSharp's probabilities by {maxDiff} ([{string.Join(", ", expected)}] vs [{string.Join(", ", score)}])");
    }

    [Fact]
    public void Should_GiveTheSameFeatures_When_TheStateDictIsSafeTensors()
    {
        var pth = _torchvision.StateDict("resnet34");
        var safetensors = Path.Combine(_torchvision.Folder, "resnet34.safetensors");
        SafeTensors.Write(safetensors, PyTorchCheckpoint.Read(pth));
        using var data = Data();
        using var learner = Create(data, "resnet34", safetensors);

        AssertClose(_torchvision.Features("resnet34"), OurFeatures(learner));
        Assert.Contains("(safetensors, sha256 ", learner.Model.WeightsSource);
    }

    [Fact]
    public void Should_NameTheTensorAndBothShapesBeforeTraining_When_TheFileIsForAnotherArchitecture()
    {
        using var data = Data();
        var error = Assert.Throws<InvalidDataException>(() => Create(data, "resnet50", _torchvision.StateDict("resnet34")));
        Assert.Contains("resnet34.pth: tensor 'layer1.0.conv1.weight' has shape [64, 64, 3, 3] but the model expects [64, 64, 1, 1]", error.Message);

        // resnet18's tensors all exist in resnet34 with the same shapes: the extra blocks give it away.
        var deeper = Assert.Throws<InvalidDataException>(() => Create(data, "resnet18", _torchvision.StateDict("resnet34")));
        Assert.Contains("have no place in a resnet18 body, first: layer1.2.conv1.weight", deeper.Message);
    }

    [Fact]
    public void Should_SayWhereTorchvisionPublishesTheWeights_When_TheFileIsMissing()
    {
        using var data = Data();
        var missing = Path.Combine(_torchvision.Folder, "resnet50-0676ba61.pth");
        var error = Assert.Throws<FileNotFoundException>(() => Create(data, "resnet50", missing));
        Assert.Equal(
            $"The weights file '{missing}' does not exist. torchvision publishes ImageNet weights for resnet50 at " +
            "https://download.pytorch.org/models/resnet50-0676ba61.pth; download that file yourself and pass its path. MlNetVision never downloads weights.",
            error.Message);
        Assert.False(File.Exists(missing));
    }

    [Fact]
    public void Should_RecordWhereTheWeightsCameFrom_When_ACheckpointIsSavedAndLoaded()
    {
        using var data = Data();
        using var learner = Create(data, "resnet34", _torchvision.StateDict("resnet34"));
        var path = learner.Save("from-torchvision");

        var info = Checkpoint.ReadInfo(path);
        Assert.Equal(learner.Model.WeightsSource, info.Weights);
        Assert.Matches(@"resnet34\.pth \(PyTorch \.pth, sha256 [0-9a-f]{16}\)$", info.Weights);
        var (model, _) = Checkpoint.LoadModel(path, device: "auto");
        using (model)
        {
            Assert.Equal(info.Weights, model.WeightsSource);
            Assert.Equal(TorchSharp.DeviceType.CPU, model.Body.parameters().First().device_type);
        }
    }

    [Fact]
    public void Should_WarnLoudlyAndStartUnfrozen_When_AnArchitectureWithoutShippedWeightsGetsNoFile()
    {
        using var data = Data();
        var log = new StringWriter();
        using var learner = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { ProgressWriter = null, Log = log });

        Assert.Contains(
            "WARNING: resnet18 ships no pretrained weights and no weights file was given: it TRAINS FROM SCRATCH (random weights, body not frozen), " +
            "which needs far more data and epochs than fine-tuning. For transfer learning download torchvision's ImageNet weights " +
            "(https://download.pytorch.org/models/resnet18-f37072fd.pth) and pass the file as LearnerOptions.Weights (CLI: --weights FILE).", log.ToString());
        Assert.Equal(0, learner.FrozenGroups);
        Assert.Equal(VisionModel.RandomWeightsSource, learner.Model.WeightsSource);
    }

    [Fact]
    public void Should_RefuseTheContradiction_When_WeightsAreGivenWithPretrainedOff()
    {
        using var data = Data();
        var error = Assert.Throws<ArgumentException>(() => VisionLearner.Create(data, Architectures.ResNet34,
            new LearnerOptions { Pretrained = false, Weights = _torchvision.StateDict("resnet34"), ProgressWriter = null, Log = null }));
        Assert.Contains("is set but Pretrained is false", error.Message);
    }

    [Fact]
    public void Should_TrainFromTheWeights_When_TheMlNetEstimatorIsGivenThem()
    {
        var ml = new MLContext(seed: 0);
        var rows = ml.Data.LoadFromEnumerable(MlNet.SampleData.Rows("train", ["bag", "trouser"], perClass: 4));
        VisionClassifierTrainer Trainer(string weights) => ml.MulticlassClassification.Trainers.VisionClassifier(new VisionClassifierOptions
        {
            Architecture = "resnet34", Weights = weights, Device = "cpu", ImageSize = 32, BatchSize = 2, FrozenEpochs = 1, UnfrozenEpochs = 0, Augmentation = false,
        });
        IDataView Keyed(IDataView v) => ml.Transforms.Conversion.MapValueToKey("Label").Fit(v).Transform(v);

        // The option reaches the learner: resnet50's file is refused before any training, naming the tensor.
        var error = Assert.Throws<InvalidDataException>(() => Trainer(_torchvision.StateDict("resnet50")).Fit(Keyed(rows)));
        Assert.Contains("resnet50.pth: tensor 'layer1.0.conv1.weight' has shape [64, 64, 1, 1] but the model expects [64, 64, 3, 3]", error.Message);

        using var model = Trainer(_torchvision.StateDict("resnet34")).Fit(Keyed(rows));
        var scores = ml.Data.CreateEnumerable<ScoreRow>(model.Transform(Keyed(rows)), reuseRowObject: false).ToList();
        Assert.Equal(8, scores.Count);
        Assert.All(scores, r => Assert.Equal(1f, r.Score.Sum(), 3));
    }

    public sealed class ScoreRow
    {
        public float[] Score { get; set; } = [];
    }
}
