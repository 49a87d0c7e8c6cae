namespace MlNetVision.Training;

/// <summary>The steps of <see cref="FineTuneRecipe"/>, in the order they run.</summary>
public enum FineTuneStepKind
{
    /// <summary>The frozen phase: one cycle with the body frozen (when the learner is pretrained).</summary>
    Frozen,

    /// <summary>The learning-rate finder, after unfreezing, when the unfrozen rate is <see cref="LearningRate.Auto"/>.</summary>
    LrFind,

    /// <summary>The unfrozen phase: one cycle after <c>FreezeTo(n)</c> (<c>Unfreeze()</c> by default).</summary>
    Unfrozen,
}
