namespace MlNetVision.Training.Optimizers;

/// <summary>Hyper-parameters of <see cref="AdamW"/>; defaults are fastai v1's.</summary>
public sealed class AdamWOptions
{
    /// <summary>Default of <see cref="Beta1"/>.</summary>
    public const double DefaultBeta1 = 0.9;

    /// <summary>Default of <see cref="Beta2"/>.</summary>
    public const double DefaultBeta2 = 0.99;

    /// <summary>Default of <see cref="Eps"/>.</summary>
    public const double DefaultEps = 1e-8;

    /// <summary>Default of <see cref="WeightDecay"/>.</summary>
    public const double DefaultWeightDecay = 1e-2;

    /// <summary>Adam's beta1 (momentum); one-cycle training overrides it per step.</summary>
    /// <value>The default value is 0.9 (fastai v1 torch_core.py: <c>AdamW = partial(optim.Adam, betas=(0.9,0.99))</c>).</value>
    public double Beta1 { get; set; } = DefaultBeta1;

    /// <summary>Adam's beta2.</summary>
    /// <value>The default value is 0.99 (fastai v1 torch_core.py: <c>betas=(0.9,0.99)</c>).</value>
    public double Beta2 { get; set; } = DefaultBeta2;

    /// <summary>Term added to the denominator for numerical stability.</summary>
    /// <value>The default value is 1e-8 (fastai v1 keeps <c>torch.optim.Adam</c>'s default eps; fastai v2's own Adam uses 1e-5).</value>
    public double Eps { get; set; } = DefaultEps;

    /// <summary>Decoupled ("true") weight decay, applied as <c>p ← p · (1 − lr · wd)</c> to every trainable parameter, BatchNorm included.</summary>
    /// <value>The default value is 0.01 (fastai v1 <c>defaults.wd=1e-2</c>, <c>true_wd=True</c>, <c>bn_wd=True</c>, basic_train.py).</value>
    public double WeightDecay { get; set; } = DefaultWeightDecay;
}
