namespace MlNetVision.Models;

/// <summary>Options of fastai's classifier head (<c>create_head</c> in fastai v1 <c>vision/learner.py</c>).</summary>
public sealed class HeadOptions
{
    /// <summary>Hidden layer sizes between the pooled features and the classes.</summary>
    /// <value>The default is <c>[512]</c> (fastai v1 <c>lin_ftrs=None</c> → <c>[nf, 512, nc]</c>).</value>
    public int[] HiddenSizes { get; init; } = [512];

    /// <summary>Dropout of the last linear layer; earlier ones get half of it.</summary>
    /// <value>The default is 0.5 (fastai v1 <c>ps=0.5</c> → <c>[0.25, 0.5]</c>).</value>
    public double Dropout { get; init; } = 0.5;

    /// <summary>Whether the head pools with <see cref="AdaptiveConcatPool2d"/> (max and average) instead of average only.</summary>
    /// <value>The default is <c>true</c> (fastai v1 <c>concat_pool=True</c>).</value>
    public bool ConcatPool { get; init; } = true;
}
