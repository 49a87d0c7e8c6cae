using TorchSharp.Modules;

namespace MlNetVision.Training.Optimizers;

/// <summary>The parameters of one layer group with their own hyper-parameters (one optimiser group per layer group, as fastai v1).</summary>
public sealed class ParameterGroup
{
    /// <summary>Creates a group over <paramref name="parameters"/>.</summary>
    public ParameterGroup(IReadOnlyList<Parameter> parameters) => Parameters = parameters;

    /// <summary>The parameters of the group; those with <c>requires_grad == false</c> (frozen) are skipped by the optimiser.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The learning rate of the group.</summary>
    public double LearningRate { get; set; } = 1e-3;

    /// <summary>Adam's beta1; the one-cycle schedule drives it as momentum.</summary>
    public double Beta1 { get; set; } = AdamWOptions.DefaultBeta1;

    /// <summary>Adam's beta2.</summary>
    public double Beta2 { get; set; } = AdamWOptions.DefaultBeta2;

    /// <summary>Decoupled weight decay: <c>p ← p · (1 − lr · wd)</c> before each step.</summary>
    public double WeightDecay { get; set; } = AdamWOptions.DefaultWeightDecay;
}
