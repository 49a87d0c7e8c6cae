using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetVision.Models;
using MlNetVision.Native;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace MlNetVision.Tests.Models;

public class ResNetTests
{
    public ResNetTests() => NativeBackend.EnsureLoaded();

    [Fact]
    public void Should_MatchOnnxRuntime_When_RunningMlNetResNet18OnARealImage()
    {
        using var scope = NewDisposeScope();
        var model = VisionModel.Create(Architectures.ResNet18MlNet, numClasses: 10, pretrained: true);
        model.eval();
        var rgb = TestImages.FashionGrid();
        // What the ONNX file expects: BGR 0..255 minus the channel means. Our model applies the same in its first layer.
        var prepared = model.Normalize.forward(rgb).contiguous();
        Tensor ours;
        using (no_grad()) ours = nn.functional.avg_pool2d(model.Body.forward(prepared), 7).flatten();

        using var session = new InferenceSession(MlNetResNet18Weights.FindOnnxFile());
        var input = new DenseTensor<float>(prepared.data<float>().ToArray(), [1, 3, 224, 224]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input)]);
        var theirs = results.Single().AsEnumerable<float>().ToArray();

        var ourValues = ours.data<float>().ToArray();
        Assert.Equal(512, theirs.Length);
        Assert.Equal(512, ourValues.Length);
        float scale = theirs.Max(Math.Abs);
        float maxDiff = theirs.Zip(ourValues, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(scale > 0.1f, $"features should not be trivial (max {scale})");
        Assert.True(maxDiff <= 1e-4f * scale, $"max abs difference {maxDiff} vs feature scale {scale} (relative {maxDiff / scale:E2})");
    }

    [Theory]
    [InlineData(224, 3, 2, 1, 0)]  // CNTK's pads on an even side: the odd pixel first
    [InlineData(224, 7, 2, 3, 2)]
    [InlineData(3, 3, 2, 1, 1)]    // an odd side is padded symmetrically
    [InlineData(65, 7, 2, 3, 3)]
    [InlineData(1, 3, 2, 1, 1)]
    public void Should_PadLikeOnnxSameLower_When_TheLayerIsStrided(long side, int kernel, int stride, long before, long after)
    {
        Assert.Equal((before, after), ResNetPadding.SameLower(side, kernel, stride));
        Assert.Equal((side + stride - 1) / stride, (side + before + after - kernel) / stride + 1);
    }

    [Theory]
    [InlineData(48, 2)]  // layer3's 6x6 map goes into layer4 as 3x3: odd
    [InlineData(56, 2)]
    [InlineData(65, 3)]
    [InlineData(32, 1)]
    public void Should_TrainAStep_When_MlNetResNet18GetsASizeThatIsNotAMultipleOf32(int size, long finalSide)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var model = VisionModel.Create(Architectures.ResNet18MlNet, numClasses: 3, pretrained: false);
        model.train();
        var images = Onnx.OnnxExporterTests.RealImages(size);
        Assert.Equal([images.shape[0], 512, finalSide, finalSide], model.Body.forward(model.Normalize.forward(images)).shape);
        var loss = nn.functional.cross_entropy(model.forward(images), arange(images.shape[0], dtype: ScalarType.Int64) % 3);
        loss.backward();
        Assert.True(float.IsFinite(loss.ToSingle()));
        Assert.All(model.parameters(), p => Assert.NotNull(p.grad));
    }

    [Theory]
    [InlineData("resnet18", 11_176_512)]   // torchvision's 11,689,512 minus fc (513,000)
    [InlineData("resnet34", 21_284_672)]   // 21,797,672 minus fc
    [InlineData("resnet50", 23_508_032)]   // 25,557,032 minus fc (2,049,000)
    [InlineData("resnet18-mlnet", 15_897_152)] // resnet18 plus a third layer4 block (2 x 512x512x3x3 + 2 BN)
    public void Should_HaveTorchvisionsParameterCount_When_BuildingABody(string name, long expected)
    {
        using var scope = NewDisposeScope();
        var body = new ResNetBody(Architectures.Get(name));
        long count = body.parameters().Sum(p => p.numel());
        Assert.Equal(expected, count);
    }

    [Fact]
    public void Should_SplitIntoThreeLayerGroups_When_AskedForFastaisSplit()
    {
        using var scope = NewDisposeScope();
        var model = VisionModel.Create(Architectures.ResNet34, 5, pretrained: false);
        var groups = model.LayerGroups();
        Assert.Equal(3, groups.Count);
        Assert.Contains(groups[0], p => p.Name == "body.conv1.weight");
        Assert.Contains(groups[0], p => p.Name.StartsWith("body.layer2."));
        Assert.DoesNotContain(groups[0], p => p.Name.StartsWith("body.layer3."));
        Assert.All(groups[1], p => Assert.Matches(@"^body\.layer[34]\.", p.Name));
        Assert.All(groups[2], p => Assert.StartsWith("head.", p.Name));
        Assert.Equal(model.parameters().Count(), groups.Sum(g => g.Count));
    }

    [Fact]
    public void Should_BuildFastaisHead_When_CreatingAModel()
    {
        using var scope = NewDisposeScope();
        var model = VisionModel.Create(Architectures.ResNet18, 7, pretrained: false);
        var names = model.Head.named_children().Select(c => c.module.GetType().Name).ToArray();
        Assert.Equal(["AdaptiveConcatPool2d", "Flatten", "BatchNorm1d", "Dropout", "Linear", "ReLU", "BatchNorm1d", "Dropout", "Linear"], names);
        var shapes = model.Head.named_parameters().Where(p => p.name.EndsWith("weight") && p.parameter.dim() == 2).Select(p => p.parameter.shape).ToArray();
        Assert.Equal([512L, 1024L], shapes[0]);
        Assert.Equal([7L, 512L], shapes[1]);
    }

    [Fact]
    public void Should_TrainAStep_When_ResNet34HasANewHead()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var model = VisionModel.Create(Architectures.ResNet34, 3, pretrained: false);
        model.train();
        var x = rand(4, 3, 64, 64);
        var y = tensor(new long[] { 0, 1, 2, 1 });
        var optimizer = optim.SGD(model.parameters(), 0.01);
        var before = model.Head.parameters().Last().clone();
        var loss = nn.functional.cross_entropy(model.forward(x), y);
        loss.backward();
        optimizer.step();
        Assert.True(float.IsFinite(loss.ToSingle()));
        Assert.True(model.Body.parameters().First().grad!.abs().sum().ToSingle() > 0);
        Assert.False(before.allclose(model.Head.parameters().Last()));
    }

    [Fact]
    public void Should_RoundTripAStateDict_When_SavedAsSafeTensorsAndLoaded()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var source = new ResNetBody(Architectures.ResNet34);
        using var temp = new TempFolder("safetensors");
        var path = temp.File("model.safetensors");
        SafeTensors.Write(path, source.state_dict().Where(kv => kv.Value.dtype == ScalarType.Float32)
            .Select(kv => new SafeTensor(kv.Key, kv.Value.shape, kv.Value.data<float>().ToArray())));
        manual_seed(2);
        var target = new ResNetBody(Architectures.ResNet34);
        StateDictLoader.LoadSafeTensors(target, path);
        var x = rand(1, 3, 64, 64);
        source.eval(); target.eval();
        using (no_grad()) Assert.True(source.forward(x).allclose(target.forward(x)));
    }

    [Fact]
    public void Should_NameTheTensorAndBothShapes_When_AFileIsForAnotherArchitecture()
    {
        using var scope = NewDisposeScope();
        var resnet50 = new ResNetBody(Architectures.ResNet50);
        using var temp = new TempFolder("safetensors");
        var path = temp.File("model.safetensors");
        SafeTensors.Write(path, resnet50.state_dict().Where(kv => kv.Value.dtype == ScalarType.Float32)
            .Select(kv => new SafeTensor(kv.Key, kv.Value.shape, kv.Value.data<float>().ToArray())));
        var resnet34 = new ResNetBody(Architectures.ResNet34);
        var error = Assert.Throws<InvalidDataException>(() => StateDictLoader.LoadSafeTensors(resnet34, path));
        Assert.Contains("'layer1.0.conv1.weight' has shape [64, 64, 1, 1] but the model expects [64, 64, 3, 3]", error.Message);
    }
}
