using MlNetVision.Data;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Data;

public sealed class ImageDataBunchTests : DataTestsBase
{
    private static readonly string[] ThreeClasses = ["cat", "ant", "bee"];

    [Fact]
    public void Should_UseTrainAndValidFolders_When_BothExist()
    {
        var root = Track(ImageFiles.TrainValidFolder(ThreeClasses, 6, 2));
        using var bunch = ImageDataBunch.FromFolder(root, Small());

        Assert.Equal(["ant", "bee", "cat"], bunch.Classes);
        Assert.Equal(3, bunch.C);
        Assert.Equal(18, bunch.Train.Count);
        Assert.Equal(6, bunch.Valid.Count);
        Assert.Equal([6, 6, 6], bunch.TrainCounts);
        Assert.Equal([2, 2, 2], bunch.ValidCounts);
        Assert.Null(bunch.Test);
        Assert.Empty(bunch.Skipped);
        Assert.Equal(Path.GetFullPath(root), bunch.Path);
        Assert.All(bunch.Valid.Items, it => Assert.Contains($"{Path.DirectorySeparatorChar}valid{Path.DirectorySeparatorChar}", it.Path));
        Assert.All(bunch.Valid.Items, it => Assert.Equal(bunch.Classes[it.Label], Path.GetFileName(Path.GetDirectoryName(it.Path))));
    }

    [Fact]
    public void Should_SplitByValidPctWithTheSeed_When_ThereIsNoTrainFolder()
    {
        var root = Track(ImageFiles.ClassFolders(["a", "b"], 10));
        var options = Small();
        options.ValidPct = 0.25;
        using var first = ImageDataBunch.FromFolder(root, options);
        using var second = ImageDataBunch.FromFolder(root, options);
        options.Seed = 7;
        using var other = ImageDataBunch.FromFolder(root, options);

        Assert.Equal(5, first.Valid.Count);
        Assert.Equal(15, first.Train.Count);
        Assert.Equal(first.Valid.Items, second.Valid.Items);
        Assert.NotEqual(first.Valid.Items, other.Valid.Items);
        Assert.Empty(first.Train.Items.Select(i => i.Path).Intersect(first.Valid.Items.Select(i => i.Path)));
    }

    [Fact]
    public void Should_ServeFloatImagesAndInt64Labels_When_EnumeratingTheTrainingLoader()
    {
        var root = Track(ImageFiles.TrainValidFolder(ThreeClasses, 5, 2));
        using var bunch = ImageDataBunch.FromFolder(root, Small(size: 24, batchSize: 4));

        var seen = new List<int>();
        foreach (var batch in bunch.Train)
        {
            using var _ = batch;
            Assert.Equal(new long[] { 4, 3, 24, 24 }, batch.Images.shape);
            Assert.Equal(ScalarType.Float32, batch.Images.dtype);
            Assert.Equal(ScalarType.Int64, batch.Labels.dtype);
            Assert.InRange(batch.Images.min().ToSingle(), 0f, 1f);
            Assert.InRange(batch.Images.max().ToSingle(), 0f, 1f);
            var labels = batch.Labels.data<long>().ToArray();
            Assert.Equal(batch.Indices.Select(i => (long)bunch.Train.Items[i].Label), labels);
            seen.AddRange(batch.Indices);
        }
        // 15 items, batch 4: the last partial batch is dropped, as fastai does for training.
        Assert.Equal(3, bunch.Train.BatchCount);
        Assert.Equal(12, seen.Count);
        Assert.Equal(12, seen.Distinct().Count());
    }

    [Fact]
    public void Should_ServeTheSameBatches_When_TheSeedIsTheSame()
    {
        var root = Track(ImageFiles.TrainValidFolder(ThreeClasses, 4, 1));
        using var a = ImageDataBunch.FromFolder(root, Small(batchSize: 4));
        using var b = ImageDataBunch.FromFolder(root, Small(batchSize: 4));

        var epochA = Collect(a.Train);
        var epochB = Collect(b.Train);
        var nextEpochA = Collect(a.Train);

        Assert.Equal(epochA.Select(e => e.Indices), epochB.Select(e => e.Indices));
        Assert.Equal(epochA.Select(e => e.Sum), epochB.Select(e => e.Sum));
        Assert.NotEqual(epochA.Select(e => e.Indices), nextEpochA.Select(e => e.Indices));
    }

    [Fact]
    public void Should_KeepItemOrderWithoutAugmentation_When_EnumeratingTheValidationLoader()
    {
        var root = Track(ImageFiles.TrainValidFolder(ThreeClasses, 2, 3));
        using var bunch = ImageDataBunch.FromFolder(root, Small(batchSize: 4));

        var indices = new List<int>();
        foreach (var batch in bunch.Valid)
        {
            using var _ = batch;
            for (var k = 0; k < batch.Count; k++)
            {
                using var item = bunch.Valid.LoadItem(batch.Indices[k]);
                using var row = batch.Images[k];
                Assert.True(row.allclose(item), "a validation batch row must equal LoadItem");
            }
            indices.AddRange(batch.Indices);
        }
        Assert.Equal(Enumerable.Range(0, 9), indices);
        Assert.Equal(3, bunch.Valid.BatchCount);
    }

    [Fact]
    public void Should_LoadAFileLikeValidation_When_LoadingForInference()
    {
        var root = Track(ImageFiles.TrainValidFolder(ThreeClasses, 2, 2));
        using var bunch = ImageDataBunch.FromFolder(root, Small(size: 32));
        var item = bunch.Valid.Items[3];

        using var fromLoader = bunch.Valid.LoadItem(3);
        using var inference = ImageLoader.LoadForInference(item.Path, 32);

        Assert.Equal(new long[] { 3, 32, 32 }, inference.shape);
        Assert.True(inference.allclose(fromLoader));
        var color = ImageFiles.ClassColor(Array.IndexOf(ThreeClasses, bunch.Classes[item.Label]));
        Assert.InRange(inference[1].mean().ToSingle() * 255, color.Green - 2, color.Green + 2);
    }

    [Fact]
    public void Should_ServeAllItemsInEachOfSeveralEpochs_When_PrefetchIsOff()
    {
        var root = Track(ImageFiles.TrainValidFolder(["x", "y"], 4, 1));
        var options = Small(batchSize: 3);
        options.Prefetch = false;
        using var bunch = ImageDataBunch.FromFolder(root, options);
        for (var epoch = 0; epoch < 2; epoch++)
        {
            var all = Collect(bunch.Train).SelectMany(b => b.Indices).ToArray();
            Assert.Equal(6, all.Length);
            Assert.Equal(6, all.Distinct().Count());
        }
        Assert.Equal(2, bunch.Train.Epoch);
    }

    [Fact]
    public void Should_ServeTheSameAugmentedBatches_When_PrefetchIsForcedOnForTheCache()
    {
        var root = Track(ImageFiles.TrainValidFolder(ThreeClasses, 4, 2));
        using var inline = ImageDataBunch.FromFolder(root, Small(batchSize: 4));
        var options = Small(batchSize: 4);
        options.Prefetch = true;
        using var prefetched = ImageDataBunch.FromFolder(root, options);
        Assert.True(prefetched.Train.Prefetches);
        for (var epoch = 0; epoch < 2; epoch++)
        {
            var a = Collect(inline.Train);
            var b = Collect(prefetched.Train);
            Assert.Equal(a.Select(x => x.Indices), b.Select(x => x.Indices));
            Assert.Equal(a.Select(x => x.Sum), b.Select(x => x.Sum));
        }
    }

    [Fact]
    public void Should_ServeTheSameBatchesAsTheCache_When_TheCacheDoesNotFit()
    {
        var root = Track(ImageFiles.TrainValidFolder(ThreeClasses, 4, 2));
        using var cached = ImageDataBunch.FromFolder(root, Small(batchSize: 4));
        var options = Small(batchSize: 4);
        options.MaxCacheBytes = 0;
        using var uncached = ImageDataBunch.FromFolder(root, options);

        Assert.True(cached.Train.IsCached);
        Assert.False(uncached.Train.IsCached);
        // Automatic prefetch: on for per-batch decoding, off for the cache.
        Assert.False(cached.Train.Prefetches);
        Assert.True(uncached.Train.Prefetches);
        var a = Collect(cached.Train);
        var b = Collect(uncached.Train);
        Assert.Equal(a.Select(x => x.Indices), b.Select(x => x.Indices));
        Assert.Equal(a.Select(x => x.Sum), b.Select(x => x.Sum));
        Assert.Equal(Collect(cached.Valid).Select(x => x.Sum), Collect(uncached.Valid).Select(x => x.Sum));
    }

    [Fact]
    public void Should_PutBatchesInTheCallersDisposeScope_When_EnumeratingInsideAScope()
    {
        var root = Track(ImageFiles.TrainValidFolder(["a", "b"], 4, 2));
        using var bunch = ImageDataBunch.FromFolder(root, Small(batchSize: 4));
        Tensor images;
        using (var scope = NewDisposeScope())
        {
            using var e = bunch.Train.GetEnumerator();
            Assert.True(e.MoveNext());
            images = e.Current.Images;
            Assert.False(images.IsInvalid);
        }
        Assert.True(images.IsInvalid);
    }

    [Fact]
    public void Should_AugmentAlreadySizedImagesReproducibly_When_CallingAugment()
    {
        var root = Track(ImageFiles.TrainValidFolder(["a", "b"], 3, 2));
        using var bunch = ImageDataBunch.FromFolder(root, Small(batchSize: 4));
        using var batch = bunch.Valid.GetBatch([0, 1, 2, 3]);

        using var a = bunch.Augment(batch.Images, 9);
        using var b = bunch.Augment(batch.Images, 9);

        Assert.Equal(batch.Images.shape, a.shape);
        Assert.True(a.allclose(b));
        Assert.False(a.allclose(batch.Images));
    }

    [Theory]
    [InlineData(ResizeMethod.Pad)]
    [InlineData(ResizeMethod.Squish)]
    [InlineData(ResizeMethod.Crop)]
    public void Should_ServeSquareImagesLikeInference_When_UsingEachResizeMethod(ResizeMethod method)
    {
        var root = Track(ImageFiles.NewFolder("rm"));
        for (var i = 0; i < 4; i++)
        {
            ImageFiles.Marked(Path.Combine(root, "train", "w", $"w{i}.png"), ImageFiles.ClassColor(0), SKColors.White, 50 + i * 10, 20, 8);
            ImageFiles.Marked(Path.Combine(root, "valid", "w", $"v{i}.png"), ImageFiles.ClassColor(0), SKColors.White, 20, 45 + i * 5, 8);
        }
        var options = Small(size: 16, batchSize: 2);
        options.ResizeMethod = method;
        using var bunch = ImageDataBunch.FromFolder(root, options);

        foreach (var batch in bunch.Train)
            using (batch) Assert.Equal(new long[] { 2, 3, 16, 16 }, batch.Images.shape);
        for (var i = 0; i < bunch.Valid.Count; i++)
        {
            using var item = bunch.Valid.LoadItem(i);
            using var inference = ImageLoader.LoadForInference(bunch.Valid.Items[i].Path, 16, method);
            Assert.True(item.allclose(inference));
        }
        Assert.Equal(method, bunch.ResizeMethod);
    }

    private static List<(int[] Indices, float Sum)> Collect(DataLoader loader)
    {
        var result = new List<(int[], float)>();
        foreach (var batch in loader)
            using (batch)
                result.Add((batch.Indices, batch.Images.sum().ToSingle()));
        return result;
    }
}
