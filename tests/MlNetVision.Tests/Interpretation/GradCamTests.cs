using MlNetVision.Data;
using MlNetVision.Interpretation;
using MlNetVision.Models;
using MlNetVision.Tests.Data;
using MlNetVision.Training;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Interpretation;

/// <summary>Grad-CAM's numbers on every architecture: shape, range, the closed form of a linear head, and a model left as it was found.</summary>
public sealed class GradCamTests : IDisposable
{
    private readonly string _root = ImageFiles.NewFolder("gradcam-unit");

    public GradCamTests() => MlNetVision.Native.NativeBackend.EnsureLoaded();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("resnet18-mlnet", true)]
    [InlineData("resnet18", false)]
    [InlineData("resnet50", false)]
    public void Should_ReturnZeroToOneMapsAtInputSizeAndLeaveTheModelAsFound_When_AnyArchitecture(string name, bool pretrained)
    {
        manual_seed(1);
        using var model = VisionModel.Create(Architectures.Get(name), 3, pretrained);
        // A mixed state to restore: the whole model training, the body's BatchNorm layers frozen in eval, the body frozen.
        model.train();
        foreach (var (_, m) in model.Body.named_modules()) if (m is TorchSharp.Modules.BatchNorm2d) m.eval();
        foreach (var p in model.Body.parameters()) p.requires_grad = false;
        var modes = model.named_modules().Select(m => (m.name, m.module.training)).ToArray();
        var flags = model.named_parameters().Select(p => (p.name, p.parameter.requires_grad)).ToArray();
        using var images = rand([2, 3, 64, 64], generator: new Generator(7));

        var maps = GradCam.Compute(model, images);

        Assert.Equal(modes, model.named_modules().Select(m => (m.name, m.module.training)));
        Assert.Equal(flags, model.named_parameters().Select(p => (p.name, p.parameter.requires_grad)));
        Assert.All(model.parameters(), p => Assert.True(p.grad is null, "a parameter got a gradient"));
        Assert.Equal(2, maps.Count);
        model.eval();
        using var expected = nn.functional.softmax(model.forward(images), 1);
        for (int i = 0; i < 2; i++)
        {
            var map = maps[i];
            Assert.Equal((64, 64, 64 * 64, 64 * 64 * 3), (map.Height, map.Width, map.Values.Count, map.Image.Count));
            Assert.Equal((2, 2), (map.FeatureHeight, map.FeatureWidth));
            Assert.All(map.Values, v => Assert.InRange(v, 0f, 1f));
            Assert.False(map.IsFlat, "a random image gave no evidence at all");
            Assert.Equal(1f, map.Values.Max(), 5);
            Assert.Equal(0f, map.Values.Min(), 5);
            var probs = expected[i].data<float>().ToArray();
            for (int c = 0; c < 3; c++) Assert.Equal(probs[c], map.Probabilities[c], 5);
            Assert.Equal(Array.IndexOf(probs, probs.Max()), map.ClassIndex);
            // The image is the input, as bytes.
            Assert.Equal((byte)Math.Round(images[i, 1, 5, 9].ToSingle() * 255), map.Image[(5 * 64 + 9) * 3 + 1]);
        }
        var forClass2 = GradCam.Compute(model, images[0], classIndex: 2);
        Assert.Equal(2, forClass2.ClassIndex);
        Assert.Throws<ArgumentOutOfRangeException>(() => GradCam.Compute(model, images[0], classIndex: 3));
        Assert.Throws<ArgumentException>(() => GradCam.Compute(model, images, [0]));
    }

    [Fact]
    public void Should_EqualClassActivationMapping_When_HeadIsLinearOverAveragePool()
    {
        // With avg pool → BN → linear, d score_c / d A_k(i,j) = W[c,k]·s_k / (h·w), s_k the BatchNorm scale: Grad-CAM is
        // Zhou et al.'s CAM, relu(Σ_k W[c,k]·s_k·A_k), up to a positive factor the min-max scaling removes.
        manual_seed(2);
        using var model = VisionModel.Create(Architectures.ResNet18, 4, pretrained: false, new HeadOptions { HiddenSizes = [], ConcatPool = false });
        var state = model.state_dict();
        using (no_grad())
        {
            state["head.2.weight"].uniform_(0.5, 1.5);
            state["head.2.running_var"].uniform_(0.5, 2);
            state["head.2.running_mean"].uniform_(-1, 1);
        }
        using var images = rand([3, 3, 128, 128], generator: new Generator(3));
        int[] classes = [0, 3, 1];

        var maps = GradCam.Compute(model, images, classes);

        using var scope = NewDisposeScope();
        model.eval();
        using var noGrad = no_grad();
        var a = model.Features(images);                                     // [3, 512, 4, 4]
        var s = state["head.2.weight"].div(state["head.2.running_var"].add(1e-5).sqrt());
        var w = state["head.4.weight"].mul(s);                                // [4, 512]
        for (int i = 0; i < 3; i++)
        {
            var cam = nn.functional.relu(w[classes[i]].view(512, 1, 1).mul(a[i]).sum(0, keepdim: false)).view(1, 1, 4, 4);
            var up = nn.functional.interpolate(cam, [128, 128], mode: InterpolationMode.Bilinear, align_corners: false).view(128, 128);
            var scaled = up.sub(up.min()).div(up.max().sub(up.min())).data<float>().ToArray();
            Assert.Equal(4, maps[i].FeatureHeight);
            var worst = scaled.Select((v, p) => Math.Abs(v - maps[i].Values[p])).Max();
            Assert.True(worst < 1e-4, $"item {i}: largest difference {worst}");
        }
    }

    [Fact]
    public void Should_MapTheImageTheModelSaw_When_FilesHaveOrLackAlpha()
    {
        // Half-transparent PNG (left half alpha 0 over red), and an opaque JPEG: the loader flattens alpha onto white.
        var alphaPng = ImageFiles.Write(Path.Combine(_root, "train", "a", "alpha.png"), 80, 64, c =>
        {
            c.Clear(SKColors.Transparent);
            using var paint = new SKPaint { Color = new SKColor(200, 30, 30) };
            c.DrawRect(40, 0, 40, 64, paint);
        });
        var jpeg = ImageFiles.Write(Path.Combine(_root, "train", "b", "opaque.jpg"), 64, 64, c => c.Clear(new SKColor(30, 30, 200)), SKEncodedImageFormat.Jpeg);
        ImageFiles.Solid(Path.Combine(_root, "valid", "a", "a2.png"), SKColors.Red, 64, 64);
        ImageFiles.Solid(Path.Combine(_root, "valid", "b", "b2.png"), SKColors.Blue, 64, 64);
        using var data = ImageDataBunch.FromFolder(_root, new ImageDataBunchOptions { Size = 64, BatchSize = 2, Log = TextWriter.Null });
        using var learn = VisionLearner.Create(data, Architectures.ResNet18MlNet, new LearnerOptions { ProgressWriter = null });

        var withAlpha = learn.HeatMap(alphaPng);
        var opaque = learn.HeatMap(File.ReadAllBytes(jpeg), classIndex: 0);

        // Crop: 80×64 → centre 64×64, so column 0..23 was transparent (white) and 24.. red.
        Assert.Equal(new byte[] { 255, 255, 255 }, withAlpha.Image.Skip((10 * 64 + 5) * 3).Take(3));
        Assert.InRange(withAlpha.Image[(10 * 64 + 40) * 3], (byte)188, (byte)212);
        Assert.Equal(learn.Predict(alphaPng).Probabilities, withAlpha.Probabilities.ToArray(), new FloatTolerance(1e-5f));
        Assert.Equal(0, opaque.ClassIndex);
        Assert.True(opaque.Image[(32 * 64 + 32) * 3 + 2] > 150, "the JPEG's blue reached the map's image");
        foreach (var map in new[] { withAlpha, opaque })
            Assert.All(map.Values, v => Assert.InRange(v, 0f, 1f));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}
