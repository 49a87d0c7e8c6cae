namespace MlNetVision.Models;

/// <summary>Where an architecture's pretrained weights come from.</summary>
public enum PretrainedSource
{
    /// <summary>No weights ship with the library; load your own with <see cref="StateDictLoader"/>.</summary>
    None,

    /// <summary>The ImageNet-trained ONNX file in the <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> NuGet package.</summary>
    MlNetDnnImageFeaturizer,
}
