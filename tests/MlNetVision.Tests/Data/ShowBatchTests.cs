using MlNetVision.Data;
using SkiaSharp;

namespace MlNetVision.Tests.Data;

public sealed class ShowBatchTests : DataTestsBase
{
    [Fact]
    public void Should_WriteAGridPngWithoutChangingTheNextEpoch_When_ShowingATrainingBatch()
    {
        var root = Path.Combine(FashionMnistTests.RepositoryRoot(), "samples", "data", "fashion-mnist-sample");
        var output = Track(ImageFiles.NewFolder("show"));
        using var bunch = ImageDataBunch.FromFolder(root, Small(size: 28, batchSize: 16));
        var planBefore = bunch.Train.PlanBatches();

        var png = bunch.ShowBatch(Path.Combine(output, "batch.png"), rows: 3);

        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        // 3 cells of 112 px (28 px enlarged 4x) plus 6 px gaps across; 3 cells plus 20 px captions down.
        Assert.Equal(3 * 118 + 6, bitmap.Width);
        Assert.Equal(3 * 138 + 6, bitmap.Height);
        // Captions are drawn: the caption strip under the first cell holds dark text pixels.
        var dark = 0;
        for (var y = 6 + 112; y < 6 + 132; y++)
            for (var x = 6; x < 118; x++)
                if (bitmap.GetPixel(x, y).Red < 100) dark++;
        Assert.True(dark > 20, $"expected caption pixels, found {dark}");
        Assert.Equal(0, bunch.Train.Epoch);
        Assert.Equal(planBefore, bunch.Train.PlanBatches());
    }

    [Fact]
    public void Should_MatchTheFirstEnumeratedBatch_When_TakingOneBatch()
    {
        var root = Track(ImageFiles.TrainValidFolder(["a", "b"], 6, 1));
        using var bunch = ImageDataBunch.FromFolder(root, Small(batchSize: 4));

        using var one = bunch.Train.OneBatch();
        using var e = bunch.Train.GetEnumerator();
        Assert.True(e.MoveNext());
        using var first = e.Current;

        Assert.Equal(one.Indices, first.Indices);
        Assert.True(one.Images.allclose(first.Images));
    }
}
