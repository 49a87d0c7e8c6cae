using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace MlNetVision.Tests.Onnx;

public class OnnxExporterTests
{
    public OnnxExporterTests() => NativeBackend.EnsureLoaded();

    /// <summary>Real images: the 224x224 Fashion-MNIST grid and crops of it resized to <paramref name="size"/>, RGB 0..1.</summary>
    internal static Tensor RealImages(int size)
    {
        using var scope = NewDisposeScope();
        var grid = TestImages.FashionGrid();
        var crops = new List<Tensor> { grid };
        foreach (var (top, left, side) in new[] { (0, 0, 112), (56, 84, 84), (140, 28, 56), (28, 168, 56) })
            crops.Add(grid[.., .., top..(top + side), left..(left + side)]);
        var batch = cat(crops.Select(c => nn.functional.interpolate(c, [size, size], mode: InterpolationMode.Bilinear, align_corners: false)).ToList(), 0);
        return batch.clamp(0, 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Gives every batch norm non-trivial statistics: random affine parameters, then running stats from a few train-mode forwards.</summary>
    private static void RandomizeBatchNorm(VisionModel model, nn.Module<Tensor, Tensor> scopeModule, Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (_, m) in scopeModule.named_modules())
        {
            if (m is BatchNorm2d bn2) { bn2.momentum = 1.0; nn.init.uniform_(bn2.weight!, 0.5, 1.5); nn.init.uniform_(bn2.bias!, -0.2, 0.2); }
            if (m is BatchNorm1d bn1) { bn1.momentum = 1.0; nn.init.uniform_(bn1.weight!, 0.5, 1.5); nn.init.uniform_(bn1.bias!, -0.2, 0.2); }
        }
        scopeModule.train();
        // Augmented variants of the real images, so the statistics come from real pixels.
        model.forward(cat([images, images.flip(3), images * 0.8f], 0));
        model.eval();
    }

    private static float[,] RunOnnx(string path, Tensor rgb01, float inputScale, out long[] indices)
    {
        using var session = new InferenceSession(path);
        var input = rgb01.mul(inputScale).contiguous();
        var dense = new DenseTensor<float>(input.data<float>().ToArray(), input.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxExportOptions.DefaultInputName, dense)]);
        var probs = results.Single(r => r.Name == OnnxExportOptions.DefaultProbabilitiesName).AsTensor<float>();
        indices = results.Single(r => r.Name == OnnxExportOptions.DefaultPredictedIndexName).AsEnumerable<long>().ToArray();
        var result = new float[probs.Dimensions[0], probs.Dimensions[1]];
        for (int i = 0; i < result.GetLength(0); i++)
            for (int j = 0; j < result.GetLength(1); j++) result[i, j] = probs[i, j];
        return result;
    }

    private static void AssertParity(VisionModel model, Tensor images, float inputScale = 255f)
    {
        model.eval();
        float[,] expected;
        using (no_grad())
        {
            var p = nn.functional.softmax(model.forward(images), 1);
            expected = new float[p.shape[0], p.shape[1]];
            var flat = p.data<float>().ToArray();
            Buffer.BlockCopy(flat, 0, expected, 0, flat.Length * sizeof(float));
        }
        using var temp = new TempFolder("onnx");
        var path = temp.File("model.onnx");
        OnnxExporter.Export(model, path, new OnnxExportOptions { InputScale = inputScale });
        var actual = RunOnnx(path, images, inputScale, out var indices);
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        float maxDiff = 0, maxProbSeen = 0, minMaxProb = 1;
        for (int i = 0; i < expected.GetLength(0); i++)
        {
            float rowMax = 0;
            int argmax = 0;
            for (int j = 0; j < expected.GetLength(1); j++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(expected[i, j] - actual[i, j]));
                if (actual[i, j] > actual[i, argmax]) argmax = j;
                rowMax = Math.Max(rowMax, expected[i, j]);
            }
            Assert.Equal(argmax, indices[i]);
            maxProbSeen = Math.Max(maxProbSeen, rowMax);
            minMaxProb = Math.Min(minMaxProb, rowMax);
        }
        // Probabilities that are all one-hot would make the comparison weak: require a spread-out row somewhere.
        Assert.True(minMaxProb < 0.99f, $"every row is saturated (smallest top probability {minMaxProb}); the test would prove little");
        // 2e-4: TorchSharp runs channels-last (VisionModel.ChannelsLast), which sums in another order than ONNX Runtime.
        Assert.True(maxDiff <= 2e-4f, $"max abs difference between ONNX Runtime and TorchSharp is {maxDiff}");
    }

    [Fact]
    public void Should_MatchTorchSharp_When_ExportingPretrainedMlNetResNet18WithTrainedHeadStats()
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var model = VisionModel.Create(Architectures.ResNet18MlNet, numClasses: 10, pretrained: true);
        var images = RealImages(224)[..3];
        model.eval();
        RandomizeBatchNorm(model, model.Head, images);
        AssertParity(model, RealImages(224));
        AssertParity(model, RealImages(96));
        // Sizes whose feature maps turn odd on the way down (48: 3x3 before layer4; 65: odd from the start): the body
        // pads them SAME_LOWER from their size, and the export says auto_pad = SAME_LOWER, so both still agree.
        AssertParity(model, RealImages(48));
        AssertParity(model, RealImages(65));
    }

    [Theory]
    [InlineData("resnet18", 64)]
    [InlineData("resnet18", 65)] // odd sizes: every feature map is odd at some stage
    [InlineData("resnet50", 64)]
    public void Should_MatchTorchSharp_When_ExportingATorchvisionLayoutWithSymmetricPadding(string architecture, int size)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var model = VisionModel.Create(Architectures.Get(architecture), numClasses: 5, pretrained: false);
        var images = RealImages(size);
        RandomizeBatchNorm(model, model, images);
        AssertParity(model, images);
    }

    [Fact]
    public void Should_AcceptZeroToOnePixels_When_InputScaleIsOne()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var model = VisionModel.Create(Architectures.ResNet18, numClasses: 3, pretrained: false);
        var images = RealImages(64);
        RandomizeBatchNorm(model, model, images);
        AssertParity(model, images, inputScale: 1f);
    }

    [Fact]
    public void Should_ProduceOneScoreVectorAndOneIndex_When_LayoutIsSingleImage()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var model = VisionModel.Create(Architectures.ResNet18, numClasses: 4, pretrained: false);
        var images = RealImages(64);
        RandomizeBatchNorm(model, model, images);
        using var temp = new TempFolder("onnx");
        var path = temp.File("model.onnx");
        OnnxExporter.Export(model, path, new OnnxExportOptions { BatchLayout = OnnxBatchLayout.SingleImage, Height = 64, Width = 64, ClassNames = ["a", "b", "c", "d"] });
        using var session = new InferenceSession(path);
        Assert.Equal([1, 3, 64, 64], session.InputMetadata["pixels"].Dimensions);
        Assert.Equal([4], session.OutputMetadata["probabilities"].Dimensions);
        Assert.Equal([1], session.OutputMetadata["predicted_index"].Dimensions);
        Assert.Equal("a\nb\nc\nd", session.ModelMetadata.CustomMetadataMap["class_names"]);

        var one = images[1..2];
        float[] expected;
        using (no_grad()) expected = nn.functional.softmax(model.forward(one), 1).data<float>().ToArray();
        var input = new DenseTensor<float>(one.mul(255f).contiguous().data<float>().ToArray(), [1, 3, 64, 64]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("pixels", input)]);
        var probs = results.Single(r => r.Name == "probabilities").AsEnumerable<float>().ToArray();
        var index = results.Single(r => r.Name == "predicted_index").AsTensor<long>().GetValue(0);
        Assert.Equal(expected.Length, probs.Length);
        Assert.True(expected.Zip(probs, (a, c) => Math.Abs(a - c)).Max() <= 1e-4f);
        Assert.Equal(Array.IndexOf(probs, probs.Max()), (int)index);
    }

    [Fact]
    public void Should_DocumentEveryDefault_When_OptionsAreCreated()
    {
        var options = new OnnxExportOptions();
        Assert.Equal("pixels", options.InputName);
        Assert.Equal("probabilities", options.ProbabilitiesName);
        Assert.Equal("predicted_index", options.PredictedIndexName);
        Assert.Equal(255f, options.InputScale);
        Assert.Null(options.Height);
        Assert.Null(options.Width);
        Assert.Equal(OnnxBatchLayout.Dynamic, options.BatchLayout);
        Assert.Equal(OnnxPixelInput.Rgb, options.PixelInput);
        Assert.Null(options.ClassNames);
        Assert.Equal(13, options.Opset);
    }
}
