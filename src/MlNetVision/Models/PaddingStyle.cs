namespace MlNetVision.Models;

/// <summary>How convolutions and the stem's max pool pad their input.</summary>
public enum PaddingStyle
{
    /// <summary>PyTorch/torchvision: the same padding on every side.</summary>
    Symmetric,

    /// <summary>
    /// CNTK's export in ML.NET's DnnImageFeaturizer ResNet18: stride-2 3x3 convolutions and the max pool pad one row
    /// and column at the top/left only (ONNX pads <c>[1,1,0,0]</c>), the 7x7 stem three at the top/left and two at the
    /// bottom/right (<c>[3,3,2,2]</c>).
    /// </summary>
    CntkAsymmetric,
}
