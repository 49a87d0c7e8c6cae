using MlNetVision.Rendering;

namespace MlNetVision.Interpretation;

/// <summary>
/// Everything a training report can show, as data; every piece is optional and absent pieces leave their section
/// out. Filled by the learner API or the ML.NET API alike, then written by <see cref="HtmlReport"/>.
/// </summary>
public sealed partial record TrainingReport
{
    /// <summary>The page title and main heading.</summary>
    /// <value>The default value is <c>"Training report"</c>.</value>
    public string Title { get; init; } = "Training report";

    /// <summary>The data summary: ordered key/value lines (data path, classes, item counts, image size, architecture...).</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<KeyValuePair<string, string>> Summary { get; init; } = [];

    /// <summary>The per-epoch table.</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<EpochRow> Epochs { get; init; } = [];

    /// <summary>The training and validation loss plot (a PNG), as the recorder's <c>PlotLosses</c> draws it.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public byte[]? LossPlot { get; init; }

    /// <summary>The learning-rate schedule plot (a PNG), as the recorder's <c>PlotLr</c> draws it.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public byte[]? LearningRatePlot { get; init; }

    /// <summary>The learning-rate finder plot, loss against learning rate (a PNG).</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public byte[]? LrFinderPlot { get; init; }

    /// <summary>The interpretation of the validation predictions: confusion matrix, most confused, per-class metrics, top losses.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public ClassificationInterpretation? Interpretation { get; init; }

    /// <summary>More pictures, shown in their own section after the others.</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<ReportImage> ExtraImages { get; init; } = [];
}
