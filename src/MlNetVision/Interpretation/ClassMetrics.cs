namespace MlNetVision.Interpretation;

/// <summary>Precision, recall and F1 of one class, one-versus-rest.</summary>
/// <param name="Class">The index of the class.</param>
/// <param name="Name">The name of the class.</param>
/// <param name="Precision">True positives over items predicted as this class; 0 when nothing was predicted as it.</param>
/// <param name="Recall">True positives over items of this class; 0 when the class has no items.</param>
/// <param name="F1">The harmonic mean of precision and recall; 0 when both are 0.</param>
/// <param name="Support">How many items actually belong to this class.</param>
public sealed record ClassMetrics(int Class, string Name, double Precision, double Recall, double F1, int Support);
