using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Data;

/// <summary>One batch served by a <see cref="DataLoader"/>. The consumer disposes it (or its dispose scope does).</summary>
public sealed class ImageBatch : IDisposable
{
    /// <summary>Creates a batch that owns the given tensors.</summary>
    /// <param name="images">float32 [B,3,S,S], RGB, 0..1.</param>
    /// <param name="labels">int64 [B].</param>
    /// <param name="indices">The item indices (into <see cref="DataLoader.Items"/>) of the batch, in batch order.</param>
    public ImageBatch(Tensor images, Tensor labels, int[] indices)
    {
        Images = images;
        Labels = labels;
        Indices = indices;
    }

    /// <summary>The images: float32 [B,3,S,S], RGB in 0..1, augmented for the training loader. Not normalised.</summary>
    public Tensor Images { get; }

    /// <summary>The class indices: int64 [B] (-1 for unlabelled test items).</summary>
    public Tensor Labels { get; }

    /// <summary>The indices into <see cref="DataLoader.Items"/> of the items in this batch, in batch order.</summary>
    public int[] Indices { get; }

    /// <summary>The number of items in the batch.</summary>
    public int Count => Indices.Length;

    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
