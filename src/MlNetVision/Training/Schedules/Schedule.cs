namespace MlNetVision.Training.Schedules;

/// <summary>A value as a function of the position in a phase, from 0 (start) to 1 (end).</summary>
/// <param name="position">The position in the phase, 0..1.</param>
public delegate double Schedule(double position);
