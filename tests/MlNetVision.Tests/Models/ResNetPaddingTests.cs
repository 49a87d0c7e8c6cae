using MlNetVision.Models;
using MlNetVision.Native;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace MlNetVision.Tests.Models;

/// <summary>The layers' own symmetric padding against CNTK's SAME_LOWER pads written out (the copies the body no longer makes).</summary>
public class ResNetPaddingTests
{
    public ResNetPaddingTests() => NativeBackend.EnsureLoaded();

    private static float MaxDiff(Tensor a, Tensor b) => (a - b).abs().max().ToSingle();

    // Each case has one even side (SAME_LOWER pads (p, p - 1), the layer (p, p), and no window reads the extra row)
    // and one odd side (SAME_LOWER is symmetric already). The maps of a 224 px input give the same bits both ways. On
    // the small maps oneDNN picks another kernel for the padded input's shape, which adds the same products in another
    // order: equal up to float rounding there.
    [Theory]
    [InlineData(3, 56, true)]
    [InlineData(3, 14, true)]
    [InlineData(7, 64, true)]   // the stem: (3, 2) against (3, 3)
    [InlineData(3, 7, false)]
    [InlineData(3, 5, false)]
    [InlineData(7, 33, false)]
    public void Should_ConvolveTheSame_When_SymmetricPaddingReplacesSameLower(int kernel, int side, bool bitForBit)
    {
        using var scope = NewDisposeScope();
        manual_seed(kernel * 100 + side);
        var x = randn(2, 4, side, side + 1).requires_grad_(true); // one side even, one odd
        var w = randn(6, 4, kernel, kernel).requires_grad_(true);
        var explicitPad = nn.functional.conv2d(ResNetPadding.PadSameLower(x, kernel, 2), w, strides: [2, 2]);
        var own = nn.functional.conv2d(x, w, strides: [2, 2], padding: [kernel / 2, kernel / 2]);
        Assert.Equal(explicitPad.shape, own.shape);
        Assert.Equal(new long[] { (side + 1) / 2, (side + 2) / 2 }, own.shape[2..]);
        AssertSame(explicitPad, own, bitForBit);

        var upstream = randn(own.shape);
        var (gxExplicit, gwExplicit) = Gradients(explicitPad, upstream, x, w);
        var (gxOwn, gwOwn) = Gradients(own, upstream, x, w);
        AssertSame(gxExplicit, gxOwn, bitForBit);
        AssertSame(gwExplicit, gwOwn, bitForBit);
    }

    private static void AssertSame(Tensor expected, Tensor actual, bool bitForBit)
    {
        var diff = MaxDiff(expected, actual);
        if (bitForBit) Assert.Equal(0f, diff);
        else Assert.True(diff <= 1e-6f * expected.abs().max().ToSingle(), $"max difference {diff}");
    }

    [Theory]
    [InlineData(112)]
    [InlineData(17)]
    [InlineData(24)]
    public void Should_MaxPoolBitForBit_When_SymmetricPaddingReplacesSameLower(int side)
    {
        using var scope = NewDisposeScope();
        manual_seed(side);
        // The pool's input comes out of a ReLU: zero padding (CNTK) and the layer's -inf padding give the same maximum.
        var pre = randn(2, 3, side, side + 1).requires_grad_(true);
        var x = nn.functional.relu(pre);
        var explicitPad = nn.functional.max_pool2d(ResNetPadding.PadSameLower(x, 3, 2), 3, 2);
        var own = nn.functional.max_pool2d(x, 3, 2, 1);
        Assert.Equal(explicitPad.shape, own.shape);
        Assert.Equal(0f, MaxDiff(explicitPad, own));
        // Through the ReLU the gradients agree as well: where a window's maximum is a padded zero, the real zeros it
        // ties with had a negative input, whose ReLU gradient is zero.
        var upstream = randn(own.shape);
        var gExplicit = autograd.grad([explicitPad], [pre], [upstream], retain_graph: true)[0];
        var gOwn = autograd.grad([own], [pre], [upstream])[0];
        Assert.Equal(0f, MaxDiff(gExplicit, gOwn));
    }

    [Fact]
    public void Should_PadOnlySymmetrically_When_BuildingTheMlNetBody()
    {
        Assert.All(new[] { (3, 2), (7, 2), (3, 1), (1, 2) }, kv => Assert.Equal(kv.Item1 / 2, ResNetPadding.Own(PaddingStyle.CntkAsymmetric, kv.Item1, kv.Item2)));
        using var scope = NewDisposeScope();
        var body = new ResNetBody(Architectures.ResNet18MlNet);
        var strided = body.named_modules().Select(m => m.module).OfType<TorchSharp.Modules.Conv2d>().Where(c => c.stride![0] == 2 && c.kernel_size[0] > 1).ToArray();
        Assert.Equal(4, strided.Length); // the stem and the first 3x3 of layers 2-4
        Assert.All(strided, c => Assert.Equal(c.kernel_size[0] / 2, c.padding![0]));
    }

    private static (Tensor X, Tensor W) Gradients(Tensor y, Tensor upstream, Tensor x, Tensor w)
    {
        var g = autograd.grad([y], [x, w], [upstream]);
        return (g[0], g[1]);
    }
}
