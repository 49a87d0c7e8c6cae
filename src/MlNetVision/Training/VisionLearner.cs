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
    /// <c>data.Classes</c>, three layer groups, AdamW, on <see cref="LearnerOptions.Device"/>. The body starts from
    /// <see cref="LearnerOptions.Weights"/> when given (a torchvision state dict), else from the architecture's shipped
    /// weights; a learner with pretrained weights starts frozen (only the head and the BatchNorm layers train). An
    /// architecture that ships no weights and gets no file trains from scratch, with a warning to
    /// <see cref="LearnerOptions.Log"/>. Seeds torch's generator first, so the same seed gives the same head.
    /// </summary>
    /// <param name="data">The images to train and validate on.</param>
    /// <param name="architecture">A row of <see cref="Architectures"/>, e.g. <see cref="Architectures.ResNet18MlNet"/> (the one with shipped weights).</param>
    /// <param name="options">Weights, device, metrics, weight decay, callbacks…; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException"><see cref="LearnerOptions.Weights"/> is set while <see cref="LearnerOptions.Pretrained"/> is off, or the device is not one of <see cref="ComputeDevice.Forms"/>.</exception>
    /// <exception cref="FileNotFoundException">The weights file does not exist; the message says where torchvision publishes the weights.</exception>
    /// <exception cref="InvalidDataException">The weights file is for another architecture (the message names the tensor and both shapes).</exception>
    /// <exception cref="DeviceUnavailableException">A CUDA device was asked for and is not available.</exception>
    public static Learner Create(ImageDataBunch data, ResNetArchitecture architecture, LearnerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(architecture);
        options ??= new LearnerOptions();
        if (options.Weights is not null && !options.Pretrained)
            throw new ArgumentException($"Weights ('{options.Weights}') is set but Pretrained is false: drop one of them.", nameof(options));
        NativeBackend.EnsureLoaded();
        torch.manual_seed(options.Seed ?? data.Seed);
        VisionModel model;
        if (options.Weights is { } weights)
        {
            model = VisionModel.FromWeights(architecture, data.Classes.Count, weights, options.Head);
        }
        else if (options.Pretrained && architecture.Pretrained == PretrainedSource.None)
        {
            options.Log?.WriteLine(FromScratchWarning(architecture));
            model = VisionModel.Create(architecture, data.Classes.Count, pretrained: false, options.Head);
        }
        else
        {
            model = VisionModel.Create(architecture, data.Classes.Count, options.Pretrained, options.Head);
        }
        Learner learner;
        try
        {
            learner = new Learner(data, model, options);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        if (model.WeightsSource != VisionModel.RandomWeightsSource) learner.Freeze();
        return learner;
    }

    /// <summary>
    /// The warning for an architecture that ships no weights and was given no weights file: it trains from scratch,
    /// and where torchvision publishes weights to pass instead.
    /// </summary>
    public static string FromScratchWarning(ResNetArchitecture architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        var get = architecture.TorchvisionWeightsUrl is { } url
            ? $" For transfer learning download torchvision's ImageNet weights ({url}) and pass the file as LearnerOptions.Weights (CLI: --weights FILE)."
            : "";
        return $"WARNING: {architecture.Name} ships no pretrained weights and no weights file was given: it TRAINS FROM SCRATCH (random weights, " +
            $"body not frozen), which needs far more data and epochs than fine-tuning.{get}";
    }
}
