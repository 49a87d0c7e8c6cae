using MlNetVision.Rendering;
using MlNetVision.IO;

namespace MlNetVision.Data;

public sealed partial class ImageDataBunch
{
    /// <summary>
    /// Draws <paramref name="rows"/>×<paramref name="rows"/> images of one batch (augmented, for the training set)
    /// with their class names as a PNG (fastai's <c>show_batch</c>), drawn by <see cref="ImageGridRenderer"/>. Uses
    /// <see cref="DataLoader.OneBatch"/>, so the training order of the next epoch is not changed.
    /// </summary>
    /// <param name="rows">The number of rows and columns.</param>
    /// <param name="split">Which set to show.</param>
    /// <returns>The PNG bytes.</returns>
    public byte[] RenderBatch(int rows = 5, DatasetSplit split = DatasetSplit.Train)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var loader = Loader(split);
        using var batch = loader.OneBatch();
        var n = Math.Min(rows * rows, batch.Count);
        using var images = batch.Images.narrow(0, 0, n);
        var captions = batch.Indices.Take(n).Select(i => loader.Items[i].Label is var l and >= 0 ? Classes[l] : "(unlabelled)").ToArray();
        return ImageGridRenderer.RenderPng(images, captions, rows);
    }

    /// <summary>Saves <see cref="RenderBatch"/> to <paramref name="pngPath"/>, atomically.</summary>
    /// <param name="pngPath">The PNG file to write.</param>
    /// <param name="rows">The number of rows and columns.</param>
    /// <param name="split">Which set to show.</param>
    /// <returns>The full path written.</returns>
    public string ShowBatch(string pngPath, int rows = 5, DatasetSplit split = DatasetSplit.Train) =>
        AtomicFile.WriteAllBytes(pngPath, RenderBatch(rows, split));
}
