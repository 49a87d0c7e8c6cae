using MlNetVision.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Training;

/// <summary>
/// The one definition of turning images into class probabilities with a trained model: eval mode, no gradient, softmax
/// over the logits. <see cref="Learner.Predict(Tensor)"/> and <see cref="VisionPredictor"/> both call it.
/// </summary>
internal static class ModelInference
{
    /// <summary>Softmax probabilities of each image of <paramref name="images"/> (float32 <c>[B, 3, H, W]</c>, RGB in 0..1), one row per image.</summary>
    public static float[][] Probabilities(VisionModel model, Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.eval();
        var device = model.parameters().First().device;
        var probs = nn.functional.softmax(model.call(images.to(device)), 1).to_type(ScalarType.Float32).cpu().contiguous();
        int n = (int)probs.shape[0], c = (int)probs.shape[1];
        var flat = probs.data<float>().ToArray();
        var rows = new float[n][];
        for (int i = 0; i < n; i++)
        {
            rows[i] = new float[c];
            Array.Copy(flat, i * c, rows[i], 0, c);
        }
        return rows;
    }

    /// <summary>The prediction for one row of probabilities: the arg max (first on ties), its name and the class list.</summary>
    public static Prediction ToPrediction(float[] probabilities, IReadOnlyList<string> classes)
    {
        int index = 0;
        for (int c = 1; c < probabilities.Length; c++) if (probabilities[c] > probabilities[index]) index = c;
        return new Prediction(classes[index], index, probabilities) { ClassNames = classes };
    }
}
