using SkiaSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests;

/// <summary>Real images committed under TestData, as tensors.</summary>
internal static class TestImages
{
    /// <summary>Path of a file under the test output's TestData folder.</summary>
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "TestData", name);

    /// <summary>The 224x224 grid of 64 real Fashion-MNIST test images, as RGB float [1,3,224,224] in 0..1.</summary>
    public static Tensor FashionGrid()
    {
        using var bitmap = SKBitmap.Decode(Path("fashion-mnist-grid-224.png"));
        using var rgba = bitmap.Copy(SKColorType.Rgba8888);
        var bytes = rgba.Bytes;
        using var scope = NewDisposeScope();
        var t = tensor(bytes, dtype: ScalarType.Byte).reshape(rgba.Height, rgba.Width, 4)
            .narrow(2, 0, 3).permute(2, 0, 1).unsqueeze(0).to_type(ScalarType.Float32).div_(255f);
        return t.contiguous().MoveToOuterDisposeScope();
    }
}
