using MlNetVision.Interpretation;

namespace MlNetVision.Tests.Interpretation;

/// <summary>
/// Eight items of three classes whose confusion matrix was counted by hand:
/// <code>
///            predicted cat dog bird
///  actual cat          1   2   0
///  actual dog          1   2   0
///  actual bird         0   1   1
/// </code>
/// </summary>
internal static class HandCountedCase
{
    public static readonly string[] Classes = ["cat", "dog", "bird"];

    public static readonly int[] Targets = [0, 0, 0, 1, 1, 1, 2, 2];

    public static readonly float[][] Probabilities =
    [
        [0.7f, 0.2f, 0.1f],   // cat  → cat
        [0.3f, 0.6f, 0.1f],   // cat  → dog
        [0.2f, 0.5f, 0.3f],   // cat  → dog
        [0.1f, 0.8f, 0.1f],   // dog  → dog
        [0.25f, 0.5f, 0.25f], // dog  → dog
        [0.6f, 0.3f, 0.1f],   // dog  → cat
        [0.1f, 0.1f, 0.8f],   // bird → bird
        [0.05f, 0.9f, 0.05f], // bird → dog
    ];

    /// <summary>The same case with class names too long for the confusion matrix's 140-pixel label room, so its layout is exact.</summary>
    public static readonly string[] LongClasses = ["staffordshire_bull_terrier", "american_pit_bull_terrier", "great_pyrenees_mountain_dog"];

    public static ClassificationInterpretation Create(ItemImageSource? items = null, string[]? classes = null) =>
        ClassificationInterpretation.FromPredictions(classes ?? Classes, Probabilities, Targets, items: items);
}
