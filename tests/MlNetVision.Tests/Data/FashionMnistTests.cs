using MlNetVision.Data;

namespace MlNetVision.Tests.Data;

/// <summary>Needs Debian's dataset-fashion-mnist package (installed by the project's setup script).</summary>
public sealed class FashionMnistTests : DataTestsBase
{
    [Fact]
    public void Should_ReadSixtyThousandLabelledImages_When_ReadingTheDebianTrainingFiles()
    {
        var (images, rows, cols) = FashionMnist.ReadImages(Path.Combine(FashionMnist.DebianFolder, "train-images-idx3-ubyte.gz"));
        var labels = FashionMnist.ReadLabels(Path.Combine(FashionMnist.DebianFolder, "train-labels-idx1-ubyte.gz"));

        Assert.Equal(60_000, images.Length);
        Assert.Equal(60_000, labels.Length);
        Assert.Equal((28, 28), (rows, cols));
        Assert.All(Enumerable.Range(0, 10), k => Assert.Equal(6_000, labels.Count(l => l == k)));
        // The first training image is an ankle boot (label 9) in the published data set.
        Assert.Equal(9, labels[0]);
        Assert.InRange(images[0].Count(p => p > 0), 200, 700);
    }

    [Fact]
    public void Should_WriteAFolderDataSetThatFromFolderReads_When_ExportingWithLimits()
    {
        var target = Track(ImageFiles.NewFolder("fm"));
        var written = FashionMnist.WriteFolder(target, trainPerClass: 3, validPerClass: 2, testPerClass: 1);

        Assert.Equal(60, written);
        using var bunch = ImageDataBunch.FromFolder(target, Small(size: 28));
        Assert.Equal(FashionMnist.ClassNames.OrderBy(c => c, StringComparer.Ordinal), bunch.Classes);
        Assert.All(bunch.TrainCounts, n => Assert.Equal(3, n));
        Assert.All(bunch.ValidCounts, n => Assert.Equal(2, n));
        Assert.Equal(10, bunch.Test!.Count);
        Assert.All(bunch.Test.Items, it => Assert.Equal(-1, it.Label));
        // A grayscale PNG comes out with three equal channels.
        using var item = bunch.Valid.LoadItem(0);
        Assert.True(item[0].allclose(item[1], 0, 0) && item[1].allclose(item[2], 0, 0));
    }

    [Fact]
    public void Should_LoadTheCommittedSample_When_ReadingItWithFromFolder()
    {
        var root = Path.Combine(RepositoryRoot(), "samples", "data", "fashion-mnist-sample");
        using var bunch = ImageDataBunch.FromFolder(root, Small(size: 28, batchSize: 64));

        Assert.Equal(10, bunch.C);
        Assert.All(bunch.TrainCounts, n => Assert.Equal(100, n));
        Assert.All(bunch.ValidCounts, n => Assert.Equal(30, n));
        Assert.Empty(bunch.Skipped);
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MlNetVision.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("MlNetVision.sln not found above the test folder.");
    }
}
