using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Models;

/// <summary>
/// Turns RGB pixels in 0..1 into what a set of weights expects (<see cref="PixelNormalization"/>), so the model carries
/// its own normalisation and callers never need to know BGR/0..255 versus ImageNet statistics.
/// </summary>
public sealed class InputNormalization : nn.Module<Tensor, Tensor>
{
    private readonly Tensor mean;
    private readonly Tensor std;

    /// <summary>Creates the layer for <paramref name="normalization"/>.</summary>
    public InputNormalization(PixelNormalization normalization) : base(nameof(InputNormalization))
    {
        Normalization = normalization;
        mean = tensor(normalization.Mean).reshape(1, 3, 1, 1);
        std = tensor(normalization.Std).reshape(1, 3, 1, 1);
        RegisterComponents();
    }

    /// <summary>The statistics this layer applies.</summary>
    public PixelNormalization Normalization { get; }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = Normalization.Bgr ? x.flip(1) : x;
        y = y.mul(Normalization.Scale).sub_(mean).div_(std);
        return y.MoveToOuterDisposeScope();
    }
}
