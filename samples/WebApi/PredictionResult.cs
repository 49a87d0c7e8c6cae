namespace WebApi;

/// <summary>The JSON answer of <c>POST /predict</c>.</summary>
/// <param name="Class">The most probable class.</param>
/// <param name="Probability">Its probability.</param>
/// <param name="Top">The most probable classes, most probable first (the first is <paramref name="Class"/>).</param>
public sealed record PredictionResult(string Class, float Probability, IReadOnlyList<ClassProbability> Top);

/// <summary>One class and its probability.</summary>
/// <param name="Class">The class name.</param>
/// <param name="Probability">The softmax probability, 0..1.</param>
public sealed record ClassProbability(string Class, float Probability);
