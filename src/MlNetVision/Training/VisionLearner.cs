using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Native;
using TorchSharp;

namespace MlNetVision.Training;

/// <summary>Builds learners for image classification (fastai v1 <c>cnn_learner</c>).</summary>
public static class VisionLearner
{
    /// <summary>
    /// fastai v1 <c>cnn_learner(data, arch, metrics=error_rate)</c>: the architecture's body with fastai's head for
    /// <c>data.Classes</c>, three layer groups, AdamW. A pretrained learner starts frozen (only the head and the
    /// BatchNorm layers train). Seeds torch's generator first, so the same seed gives the same head.
    /// </summary>
    /// <param name="data">The images to train and validate on.</param>
    /// <param name="architecture">A row of <see cref="Architectures"/>, e.g. <see cref="Architectures.ResNet18MlNet"/> (the one with shipped weights).</param>
    /// <param name="options">Metrics, weight decay, callbacks…; <see langword="null"/> for the defaults.</param>
    /// <exception cref="InvalidOperationException">Pretrained weights were asked for an architecture that ships none.</exception>
    public static Learner Create(ImageDataBunch data, ResNetArchitecture architecture, LearnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(architecture);
        options ??= new LearnerOptions();
        NativeBackend.EnsureLoaded();
        torch.manual_seed(options.Seed ?? data.Seed);
        var model = VisionModel.Create(architecture, data.Classes.Count, options.Pretrained, options.Head);
        var learner = new Learner(data, model, options);
        if (options.Pretrained) learner.Freeze();
        return learner;
    }
}
