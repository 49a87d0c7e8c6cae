namespace MlNetVision.Interpretation;

/// <summary>A named metric value of one epoch.</summary>
/// <param name="Name">The metric's name, the column title.</param>
/// <param name="Value">The metric's value.</param>
public sealed record MetricValue(string Name, double Value);
