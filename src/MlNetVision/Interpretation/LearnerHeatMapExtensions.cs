using MlNetVision.Data;
using MlNetVision.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Interpretation;

/// <summary>Grad-CAM heat maps of single images through a learner, loaded as <see cref="Learner.Predict(string)"/> loads them.</summary>
public static class LearnerHeatMapExtensions
{
    /// <summary>The heat map of an image file for <paramref name="classIndex"/> (the predicted class when null); its probabilities are <c>learn.Predict</c>'s.</summary>
    /// <exception cref="ImageDecodeException">The file is not a decodable image.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not a class index.</exception>
    public static HeatMap HeatMap(this Learner learner, string imagePath, int? classIndex = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        using var scope = NewDisposeScope();
        return learner.HeatMap(ImageLoader.LoadForInference(imagePath, learner.Data.ImageSize, learner.Data.ResizeMethod), classIndex);
    }

    /// <summary>The heat map of an encoded image (JPEG, PNG, BMP, GIF or WebP bytes) for <paramref name="classIndex"/> (the predicted class when null).</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not a class index.</exception>
    public static HeatMap HeatMap(this Learner learner, byte[] encodedImage, int? classIndex = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        using var scope = NewDisposeScope();
        return learner.HeatMap(ImageLoader.LoadForInference(encodedImage, learner.Data.ImageSize, learner.Data.ResizeMethod), classIndex);
    }

    /// <summary>The heat map of an image tensor (float32 <c>[3, H, W]</c>, RGB in 0..1) for <paramref name="classIndex"/> (the predicted class when null).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not a class index.</exception>
    public static HeatMap HeatMap(this Learner learner, Tensor image, int? classIndex = null)
    {
        ArgumentNullException.ThrowIfNull(learner);
        return GradCam.Compute(learner.Model, image, classIndex);
    }
}
