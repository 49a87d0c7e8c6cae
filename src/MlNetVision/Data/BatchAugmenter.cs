using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Data;

/// <summary>
/// Applies <see cref="TransformOptions"/> to a whole batch on tensors: flip, rotation, zoom and the symmetric
/// perspective warp composed into one 3x3 matrix per image, one sampling grid for the batch, one <c>grid_sample</c>
/// with reflection padding, then lighting in logit
/// space — the formulas of fastai v1 (fastai/vision/transform.py), batched the way fastai v2 does on GPU.
/// All random parameters are drawn from the given <see cref="Random"/>, so a seed fixes the result.
/// </summary>
internal sealed class BatchAugmenter
{
    private static readonly double[,] CornerPoints = { { -1, -1 }, { -1, 1 }, { 1, -1 }, { 1, 1 } };
    private readonly TransformOptions _options;

    public BatchAugmenter(TransformOptions options) => _options = options;

    /// <summary>The parameters drawn for one image.</summary>
    internal readonly record struct Draw(double[] Theta, double[]? Warp, double Brightness, double Contrast)
    {
        public bool IsGeometricIdentity => Warp is null && Theta.SequenceEqual(IdentityTheta);
    }

    private static readonly double[] IdentityTheta = [1, 0, 0, 0, 1, 0];

    /// <summary>Draws the parameters of one image, in a fixed order.</summary>
    internal Draw DrawParameters(Random rng)
    {
        var o = _options;
        // 3x3 matrix M acting on output coordinates (x, y, 1): input = M · output.
        var m = new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        if (o.FlipVert)
        {
            var k = rng.Next(8);
            var d = new double[,] { { (k & 1) != 0 ? -1 : 1, 0, 0 }, { 0, (k & 2) != 0 ? -1 : 1, 0 }, { 0, 0, 1 } };
            if ((k & 4) != 0) d = Multiply(new double[,] { { 0, 1, 0 }, { 1, 0, 0 }, { 0, 0, 1 } }, d);
            m = Multiply(m, d);
        }
        else if (o.DoFlip && rng.NextDouble() < 0.5)
        {
            m = Multiply(m, new double[,] { { -1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } });
        }

        double[]? warp = null;
        if (o.MaxWarp > 0 && rng.NextDouble() < o.PAffine)
        {
            var mag = new double[4];
            for (var i = 0; i < 4; i++) mag[i] = Uniform(rng, -o.MaxWarp, o.MaxWarp);
            warp = SymmetricWarpCoefficients(mag);
        }

        if (o.MaxRotate > 0 && rng.NextDouble() < o.PAffine)
        {
            var angle = Uniform(rng, -o.MaxRotate, o.MaxRotate) * Math.PI / 180;
            double c = Math.Cos(angle), s = Math.Sin(angle);
            m = Multiply(m, new double[,] { { c, -s, 0 }, { s, c, 0 }, { 0, 0, 1 } });
        }

        if (o.MaxZoom > 1 && rng.NextDouble() < o.PAffine)
        {
            var scale = Uniform(rng, 1, o.MaxZoom);
            double rowPct = rng.NextDouble(), colPct = rng.NextDouble();
            var s = 1 - 1 / scale;
            m = Multiply(m, new double[,] { { 1 / scale, 0, s * (2 * colPct - 1) }, { 0, 1 / scale, s * (2 * rowPct - 1) }, { 0, 0, 1 } });
        }

        double brightness = 0.5, contrast = 1;
        if (o.MaxLighting > 0)
        {
            if (rng.NextDouble() < o.PLighting) brightness = Uniform(rng, 0.5 * (1 - o.MaxLighting), 0.5 * (1 + o.MaxLighting));
            if (rng.NextDouble() < o.PLighting) contrast = Math.Exp(Uniform(rng, Math.Log(1 - o.MaxLighting), -Math.Log(1 - o.MaxLighting)));
        }

        return new Draw([m[0, 0], m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2]], warp, brightness, contrast);
    }

    /// <summary>Augments float [B,3,S,S] images in 0..1 with parameters drawn from <paramref name="rng"/>; returns a new tensor.</summary>
    public Tensor Apply(Tensor images, Random rng)
    {
        var b = (int)images.shape[0];
        var draws = new Draw[b];
        for (var i = 0; i < b; i++) draws[i] = DrawParameters(rng);
        return Apply(images, draws);
    }

    /// <summary>Augments with given parameters (one per image).</summary>
    internal static Tensor Apply(Tensor images, IReadOnlyList<Draw> draws)
    {
        using var scope = NewDisposeScope();
        var b = draws.Count;
        var x = images;
        if (draws.Any(d => !d.IsGeometricIdentity))
        {
            // One projective matrix per image: the warp applied after the affine part, on output coordinates.
            var m = new float[b * 9];
            for (var i = 0; i < b; i++) Compose(draws[i]).CopyTo(m, i * 9);
            var matrices = tensor(m, [b, 3, 3]).transpose(1, 2);
            long h = images.shape[2], w = images.shape[3];
            var grid = matmul(BaseGrid(h, w), matrices);
            grid = draws.Any(d => d.Warp is not null)
                ? grid.narrow(2, 0, 2).div(grid.narrow(2, 2, 1))
                : grid.narrow(2, 0, 2);
            x = nn.functional.grid_sample(images, grid.reshape(b, h, w, 2), GridSampleMode.Bilinear, GridSamplePaddingMode.Reflection, align_corners: false);
        }

        if (draws.Any(d => d.Brightness != 0.5 || d.Contrast != 1))
        {
            var add = tensor(draws.Select(d => (float)Math.Log(d.Brightness / (1 - d.Brightness))).ToArray()).view(b, 1, 1, 1);
            var mul = tensor(draws.Select(d => (float)d.Contrast).ToArray()).view(b, 1, 1, 1);
            x = x.logit(1e-6).add_(add).mul_(mul).sigmoid_();
        }
        else if (ReferenceEquals(x, images))
        {
            x = images.clone();
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>The row-major 3x3 matrix W·A of one image: A its affine part, W its perspective warp (identity when none).</summary>
    internal static float[] Compose(Draw d)
    {
        var t = d.Theta;
        var c = d.Warp ?? [1, 0, 0, 0, 1, 0, 0, 0];
        var a = new double[,] { { t[0], t[1], t[2] }, { t[3], t[4], t[5] }, { 0, 0, 1 } };
        var wm = new double[,] { { c[0], c[1], c[2] }, { c[3], c[4], c[5] }, { c[6], c[7], 1 } };
        var r = Multiply(wm, a);
        return [(float)r[0, 0], (float)r[0, 1], (float)r[0, 2], (float)r[1, 0], (float)r[1, 1], (float)r[1, 2], (float)r[2, 0], (float)r[2, 1], (float)r[2, 2]];
    }

    /// <summary>The homogeneous output coordinates (x, y, 1) of an h×w image, [h·w, 3], as <c>affine_grid</c> with <c>align_corners=false</c> places them.</summary>
    private static Tensor BaseGrid(long h, long w)
    {
        var xs = linspace(-1 + 1.0 / w, 1 - 1.0 / w, w);
        var ys = linspace(-1 + 1.0 / h, 1 - 1.0 / h, h);
        var grid = stack([xs.view(1, w).expand(h, w), ys.view(h, 1).expand(h, w), ones(h, w)], -1);
        return grid.view(h * w, 3);
    }

    /// <summary>fastai v1's <c>symmetric_warp</c>: the 8 perspective coefficients mapping the moved corners back to the original ones.</summary>
    internal static double[] SymmetricWarpCoefficients(double[] m)
    {
        double[,] targ =
        {
            { -1 - m[3], -1 - m[1] }, { -1 - m[2], 1 + m[1] }, { 1 + m[3], -1 - m[0] }, { 1 + m[2], 1 + m[0] },
        };
        var a = new double[8, 8];
        var rhs = new double[8];
        for (var i = 0; i < 4; i++)
        {
            double x = targ[i, 0], y = targ[i, 1], u = CornerPoints[i, 0], v = CornerPoints[i, 1];
            double[] r1 = [x, y, 1, 0, 0, 0, -u * x, -u * y];
            double[] r2 = [0, 0, 0, x, y, 1, -v * x, -v * y];
            for (var j = 0; j < 8; j++) { a[2 * i, j] = r1[j]; a[2 * i + 1, j] = r2[j]; }
            rhs[2 * i] = u;
            rhs[2 * i + 1] = v;
        }
        return Solve(a, rhs);
    }

    /// <summary>Gaussian elimination with partial pivoting on a small dense system.</summary>
    private static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        for (var col = 0; col < n; col++)
        {
            var pivot = col;
            for (var r = col + 1; r < n; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            if (pivot != col)
            {
                for (var j = 0; j < n; j++) (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
                (b[col], b[pivot]) = (b[pivot], b[col]);
            }
            for (var r = col + 1; r < n; r++)
            {
                var f = a[r, col] / a[col, col];
                for (var j = col; j < n; j++) a[r, j] -= f * a[col, j];
                b[r] -= f * b[col];
            }
        }
        var x = new double[n];
        for (var r = n - 1; r >= 0; r--)
        {
            var s = b[r];
            for (var j = r + 1; j < n; j++) s -= a[r, j] * x[j];
            x[r] = s / a[r, r];
        }
        return x;
    }

    private static double Uniform(Random rng, double lo, double hi) => lo + (hi - lo) * rng.NextDouble();

    private static double[,] Multiply(double[,] p, double[,] q)
    {
        var r = new double[3, 3];
        for (var i = 0; i < 3; i++)
        for (var j = 0; j < 3; j++)
        for (var k = 0; k < 3; k++)
            r[i, j] += p[i, k] * q[k, j];
        return r;
    }
}
