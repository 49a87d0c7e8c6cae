namespace MlNetVision.Training;

/// <summary>
/// Predictions over a whole split (fastai <c>get_preds(with_loss=True)</c>), in the order of the loader's
/// <c>Items</c>, as managed arrays for interpretation.
/// </summary>
/// <param name="Probabilities">Softmax probabilities per item: <c>[n][C]</c>.</param>
/// <param name="Targets">The actual class index per item (-1 for unlabelled items).</param>
/// <param name="Losses">Cross-entropy per item (NaN for unlabelled items).</param>
public sealed record Predictions(float[][] Probabilities, int[] Targets, float[] Losses)
{
    /// <summary>The predicted class index per item (arg-max of the probabilities).</summary>
    public int[] PredictedIndices => Probabilities.Select(p => Array.IndexOf(p, p.Max())).ToArray();

    /// <summary>Share of labelled items whose prediction is wrong.</summary>
    public double ErrorRate
    {
        get
        {
            var predicted = PredictedIndices;
            int labelled = 0, wrong = 0;
            for (int i = 0; i < Targets.Length; i++)
            {
                if (Targets[i] < 0) continue;
                labelled++;
                if (predicted[i] != Targets[i]) wrong++;
            }
            return labelled == 0 ? double.NaN : (double)wrong / labelled;
        }
    }
}
