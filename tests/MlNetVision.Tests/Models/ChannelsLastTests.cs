using MlNetVision.Models;
using MlNetVision.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Models;

public class ChannelsLastTests
{
    public ChannelsLastTests() => NativeBackend.EnsureLoaded();

    [Fact]
    public void Should_RunChannelsLast_When_TheModelIsCreated()
    {
        Assert.True(VisionModel.DefaultChannelsLast);
        using var model = VisionModel.Create(Architectures.ResNet18MlNet, 3, pretrained: false);
        Assert.Equal(VisionModel.DefaultChannelsLast, model.ChannelsLast);
    }

    [Fact]
    public void Should_KeepValuesAndLayOutChannelsLast_When_ConvertingABatch()
    {
        using var scope = NewDisposeScope();
        var x = rand(2, 3, 5, 4);
        var y = VisionModel.ToChannelsLast(x);
        Assert.Equal(x.shape, y.shape);
        Assert.Equal(new long[] { 5 * 4 * 3, 1, 4 * 3, 3 }, y.stride());
        Assert.Equal(0f, (x - y).abs().max().ToSingle());
        Assert.Throws<ArgumentException>(() => VisionModel.ToChannelsLast(rand(3, 4)));
    }

    [Theory]
    [InlineData("resnet18-mlnet")]
    [InlineData("resnet50")]
    public void Should_GiveTheSameLogitsAndGradients_When_ChannelsLastIsOnOrOff(string arch)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var model = VisionModel.Create(Architectures.Get(arch), 4, pretrained: false);
        var images = Onnx.OnnxExporterTests.RealImages(48);
        var labels = arange(images.shape[0], dtype: ScalarType.Int64) % 4;
        model.eval(); // train mode would move BatchNorm's running statistics between the two passes
        (Tensor Logits, Tensor Grad) Pass(bool channelsLast)
        {
            model.ChannelsLast = channelsLast;
            model.zero_grad();
            var logits = model.forward(images);
            nn.functional.cross_entropy(logits, labels).backward();
            return (logits.detach(), model.Body.named_parameters().First(p => p.name == "conv1.weight").parameter.grad!.clone());
        }
        var (a, ga) = Pass(false);
        var (b, gb) = Pass(true);
        float scale = a.abs().max().ToSingle(), gscale = ga.abs().max().ToSingle();
        Assert.True(scale > 0 && gscale > 0);
        // Different memory layouts sum the convolutions in a different order: equal up to float rounding.
        Assert.True((a - b).abs().max().ToSingle() <= 1e-4f * scale, $"logits differ by {(a - b).abs().max().ToSingle()} (scale {scale})");
        Assert.True((ga - gb).abs().max().ToSingle() <= 1e-3f * gscale, $"gradients differ by {(ga - gb).abs().max().ToSingle()} (scale {gscale})");
    }
}
