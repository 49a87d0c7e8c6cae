using static TorchSharp.torch;

namespace MlNetVision.Training.Callbacks;

/// <summary>
/// CutMix (Yun et al. 2019) with fastai v2's semantics (<c>callback/mixup.py</c>, <c>CutMix(alpha=1.)</c>): before every
/// training batch one <c>λ ~ Beta(α, α)</c> is drawn for the whole batch and a random permutation <c>s</c> pairs each
/// item with another; a box of side ratio <c>√(1 − λ)</c> (width <c>round(W·√(1 − λ))</c>, height likewise) centred on a
/// uniformly random pixel and clipped to the image is pasted from <c>x_sᵢ</c> into every <c>xᵢ</c>. <c>λ</c> is then
/// recomputed from the clipped box: <c>λ = 1 − box area / (W·H)</c>, and the loss is
/// <c>mean(λ·L(ŷᵢ, yᵢ) + (1 − λ)·L(ŷᵢ, y_sᵢ))</c> (see <see cref="MixHandler"/>). Validation, its loss and the metrics see
/// the un-mixed images and targets. The constructor's <c>alpha</c> (default 1) must be a positive number, else
/// <see cref="ArgumentOutOfRangeException"/>.
/// </summary>
public sealed class CutMix(double alpha = CutMix.DefaultAlpha) : MixHandler(alpha)
{
    /// <summary>Default of <see cref="MixHandler.Alpha"/> (fastai v2 <c>CutMix(alpha=1.)</c>: λ uniform on 0..1).</summary>
    public const double DefaultAlpha = 1.0;

    /// <summary>The current batch's box in pixels, <c>[X1, X2) × [Y1, Y2)</c>, taken from the shuffled images; valid during a training batch.</summary>
    public (int X1, int Y1, int X2, int Y2)? Box { get; private set; }

    /// <inheritdoc/>
    protected override string LossPrefix => "cutmix";

    /// <summary>
    /// fastai's <c>rand_bbox</c>: the box for <paramref name="lambda"/> around (<paramref name="centreX"/>, <paramref name="centreY"/>),
    /// half-sides <c>round(side·√(1 − λ)) // 2</c>, clipped to the <paramref name="width"/> × <paramref name="height"/> image.
    /// </summary>
    public static (int X1, int Y1, int X2, int Y2) RandomBox(int width, int height, double lambda, int centreX, int centreY)
    {
        var cut = Math.Sqrt(1 - lambda);
        int halfW = (int)Math.Round(width * cut, MidpointRounding.ToEven) / 2, halfH = (int)Math.Round(height * cut, MidpointRounding.ToEven) / 2;
        return (Math.Clamp(centreX - halfW, 0, width), Math.Clamp(centreY - halfH, 0, height),
            Math.Clamp(centreX + halfW, 0, width), Math.Clamp(centreY + halfH, 0, height));
    }

    /// <inheritdoc/>
    protected override (Tensor Images, Tensor Shuffle, Tensor Lambda) Mix(Tensor images)
    {
        long n = images.shape[0];
        int height = (int)images.shape[2], width = (int)images.shape[3];
        double drawn;
        using (var draw = SampleLambda(1, images)) drawn = draw.to_type(ScalarType.Float64).cpu().item<double>();
        var shuffle = randperm(n, device: images.device);
        int cx, cy;
        using (var x = randint(0, width, [1], dtype: ScalarType.Int64)) cx = (int)x.item<long>();
        using (var y = randint(0, height, [1], dtype: ScalarType.Int64)) cy = (int)y.item<long>();
        var box = RandomBox(width, height, drawn, cx, cy);
        var mixed = images.clone();
        int boxW = box.X2 - box.X1, boxH = box.Y2 - box.Y1;
        if (boxW > 0 && boxH > 0)
        {
            // Only the box of each partner image is gathered, not whole images.
            using var partnerBox = images.narrow(2, box.Y1, boxH).narrow(3, box.X1, boxW);
            using var source = partnerBox.index_select(0, shuffle);
            using var target = mixed.narrow(2, box.Y1, boxH).narrow(3, box.X1, boxW);
            target.copy_(source);
        }
        Box = box;
        var lambda = 1 - (double)boxW * boxH / ((double)width * height);
        return (mixed, shuffle, full(n, lambda, dtype: images.dtype, device: images.device));
    }

    /// <inheritdoc/>
    public override void AfterBatch(Learner learner)
    {
        base.AfterBatch(learner);
        Box = null;
    }
}
