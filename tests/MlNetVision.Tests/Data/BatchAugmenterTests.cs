using MlNetVision.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Data;

public sealed class BatchAugmenterTests : DataTestsBase
{
    private const int S = 32;

    /// <summary>[1,3,S,S] black with a white 8x8 square in the top-left quadrant (rows 4..11, columns 4..11).</summary>
    private static Tensor Marker()
    {
        var x = zeros(1, 3, S, S);
        x[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(4, 12), TensorIndex.Slice(4, 12)] = tensor(1f);
        return x;
    }

    private static long Quadrant(Tensor image)
    {
        using var q = image[0].mean([0]).reshape(2, S / 2, 2, S / 2).mean([1, 3]);
        return q.argmax().ToInt64();
    }

    private static BatchAugmenter.Draw Geometry(params double[] theta) => new(theta, null, 0.5, 1);

    [Fact]
    public void Should_MoveTheMarkerToTheRight_When_Flipping()
    {
        using var x = Marker();
        using var y = BatchAugmenter.Apply(x, [Geometry(-1, 0, 0, 0, 1, 0)]);
        Assert.Equal(1, Quadrant(y));
        using var mirrored = x.flip(3);
        Assert.True(y.allclose(mirrored, 1e-5, 1e-5));
    }

    [Fact]
    public void Should_MoveTheMarkerToTheBottomLeft_When_RotatingByNinetyDegrees()
    {
        using var x = Marker();
        // input = M · output with M = [[cos, -sin], [sin, cos]] at 90°: output (x, y) samples input (-y, x).
        using var y = BatchAugmenter.Apply(x, [Geometry(0, -1, 0, 1, 0, 0)]);
        Assert.Equal(2, Quadrant(y));
        Assert.InRange(y.sum().ToSingle(), 3 * 64 - 1, 3 * 64 + 1);
    }

    [Fact]
    public void Should_DoubleTheMarkerSide_When_ZoomingTwiceOnTheCentre()
    {
        var x = zeros(1, 3, S, S);
        x[TensorIndex.Colon, TensorIndex.Colon, TensorIndex.Slice(12, 20), TensorIndex.Slice(12, 20)] = tensor(1f);
        using var y = BatchAugmenter.Apply(x, [Geometry(0.5, 0, 0, 0, 0.5, 0)]);
        // An 8x8 square becomes 16x16: four times the mass.
        Assert.InRange(y.sum().ToSingle() / x.sum().ToSingle(), 3.9f, 4.1f);
        x.Dispose();
    }

    [Fact]
    public void Should_BeTheIdentity_When_TheWarpMagnitudesAreZero()
    {
        var c = BatchAugmenter.SymmetricWarpCoefficients([0, 0, 0, 0]);
        Assert.Equal(new double[] { 1, 0, 0, 0, 1, 0, 0, 0 }, c.Select(v => Math.Round(v, 12) + 0.0));
        using var x = Marker();
        using var y = BatchAugmenter.Apply(x, [new BatchAugmenter.Draw([1, 0, 0, 0, 1, 0], c, 0.5, 1)]);
        Assert.True(y.allclose(x, 1e-5, 1e-5));
    }

    [Fact]
    public void Should_MapMovedCornersBackToTheOriginalCorners_When_Warping()
    {
        double[] m = [0.1, -0.2, 0.15, 0.05];
        var c = BatchAugmenter.SymmetricWarpCoefficients(m);
        (double X, double Y)[] targ = [(-1 - m[3], -1 - m[1]), (-1 - m[2], 1 + m[1]), (1 + m[3], -1 - m[0]), (1 + m[2], 1 + m[0])];
        (double, double)[] orig = [(-1, -1), (-1, 1), (1, -1), (1, 1)];
        for (var i = 0; i < 4; i++)
        {
            var (x, y) = targ[i];
            var den = c[6] * x + c[7] * y + 1;
            Assert.Equal(orig[i].Item1, (c[0] * x + c[1] * y + c[2]) / den, 9);
            Assert.Equal(orig[i].Item2, (c[3] * x + c[4] * y + c[5]) / den, 9);
        }
    }

    [Fact]
    public void Should_BrightenAndStretch_When_ApplyingLighting()
    {
        using var x = linspace(0.1, 0.9, S * S).reshape(1, 1, S, S).expand(1, 3, S, S).contiguous();
        using var brighter = BatchAugmenter.Apply(x, [new BatchAugmenter.Draw([1, 0, 0, 0, 1, 0], null, 0.6, 1)]);
        using var contrast = BatchAugmenter.Apply(x, [new BatchAugmenter.Draw([1, 0, 0, 0, 1, 0], null, 0.5, 1.25)]);
        Assert.True(brighter.gt(x).all().ToBoolean());
        // logit(0.9) * 1.25 -> sigmoid: 0.9 goes up to about 0.937; 0.1 goes down to about 0.063.
        Assert.Equal(0.937, contrast.max().ToSingle(), 2);
        Assert.Equal(0.063, contrast.min().ToSingle(), 2);
    }

    [Fact]
    public void Should_GiveTheSameResult_When_TheSeedIsTheSame()
    {
        var augmenter = new BatchAugmenter(TransformOptions.FastAiDefaults());
        using var x = rand(4, 3, S, S, generator: new Generator(3));
        using var a = augmenter.Apply(x, new Random(5));
        using var b = augmenter.Apply(x, new Random(5));
        using var c = augmenter.Apply(x, new Random(6));
        Assert.True(a.equal(b).all().ToBoolean());
        Assert.False(a.allclose(c));
        Assert.InRange(a.min().ToSingle(), 0f, 1f);
        Assert.InRange(a.max().ToSingle(), 0f, 1f);
    }

    [Fact]
    public void Should_DrawWithinFastAiRanges_When_UsingTheDefaults()
    {
        var augmenter = new BatchAugmenter(TransformOptions.FastAiDefaults());
        var rng = new Random(11);
        var draws = Enumerable.Range(0, 4000).Select(_ => augmenter.DrawParameters(rng)).ToArray();

        var warped = draws.Count(d => d.Warp is not null) / 4000.0;
        var flipped = draws.Count(d => d.Theta[0] < 0) / 4000.0;
        var lit = draws.Count(d => d.Brightness != 0.5) / 4000.0;
        Assert.InRange(warped, 0.72, 0.78);
        Assert.InRange(flipped, 0.47, 0.53);
        Assert.InRange(lit, 0.72, 0.78);
        Assert.All(draws, d => Assert.InRange(d.Brightness, 0.4, 0.6));
        Assert.All(draws, d => Assert.InRange(d.Contrast, 0.8 - 1e-9, 1.25 + 1e-9));
        // |det| of the linear part = zoom^-2 in [1/1.21, 1] (rotation and flip keep areas).
        Assert.All(draws, d => Assert.InRange(Math.Abs(d.Theta[0] * d.Theta[4] - d.Theta[1] * d.Theta[3]), 1 / 1.21 - 1e-9, 1 + 1e-9));
    }

    [Fact]
    public void Should_EqualAffineGridFollowedByTheWarp_When_ComposingOneMatrixPerImage()
    {
        var aug = new BatchAugmenter(TransformOptions.FastAiDefaults());
        var rng = new Random(3);
        var draws = Enumerable.Range(0, 8).Select(_ => aug.DrawParameters(rng) with { Brightness = 0.5, Contrast = 1 }).ToArray();
        using var x = rand(8, 3, 20, 24, generator: new Generator(1));
        using var y = BatchAugmenter.Apply(x, draws);
        // Reference: libtorch's affine_grid, then fastai's _apply_perspective on the grid, then grid_sample.
        var theta = tensor(draws.SelectMany(d => d.Theta).Select(v => (float)v).ToArray(), [8, 2, 3]);
        var grid = nn.functional.affine_grid(theta, x.shape, align_corners: false);
        var coeffs = tensor(draws.SelectMany(d => d.Warp ?? [1, 0, 0, 0, 1, 0, 0, 0]).Select(v => (float)v).ToArray(), [8, 1, 1, 8]);
        var gx = grid[TensorIndex.Ellipsis, 0];
        var gy = grid[TensorIndex.Ellipsis, 1];
        Tensor C(int k) => coeffs[TensorIndex.Ellipsis, k];
        var den = C(6) * gx + C(7) * gy + 1;
        var nx = (C(0) * gx + C(1) * gy + C(2)) / den;
        var ny = (C(3) * gx + C(4) * gy + C(5)) / den;
        grid = stack([nx, ny], -1);
        var r = nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Reflection, align_corners: false);
        Assert.True(draws.Count(d => d.Warp is not null) > 2);
        Assert.True(y.allclose(r, 1e-4, 1e-4), $"max diff {(y - r).abs().max().ToSingle()}");
    }
}
