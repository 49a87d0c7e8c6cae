namespace MlNetVision.Data;

/// <summary>A split of an <see cref="ImageDataBunch"/>.</summary>
public enum DatasetSplit
{
    /// <summary>The training set.</summary>
    Train,

    /// <summary>The validation set.</summary>
    Valid,

    /// <summary>The unlabelled test set.</summary>
    Test,
}
