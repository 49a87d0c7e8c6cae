using MlNetVision.Data;

namespace MlNetVision.Tests.Data;

/// <summary>The image cache's budget (<see cref="ImageDataBunchOptions.MaxCacheBytes"/>) is reported when it is too small.</summary>
public class CacheBudgetTests : DataTestsBase
{
    [Fact]
    public void Should_LogOnceWithTheNumbers_When_TheCacheDoesNotFitTheBudget()
    {
        var root = Track(ImageFiles.TrainValidFolder(["a", "b", "c"], 4, 2));
        var log = new StringWriter();
        var options = Small(size: 32, batchSize: 4, log: log);
        // 18 images of 3 x 32 x 32 bytes (crop keeps up to MaxCachedAspect times that) need more than 1 KiB.
        options.MaxCacheBytes = 1024;
        using var data = ImageDataBunch.FromFolder(root, options);

        Assert.False(data.Train.IsCached);
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("image cache", StringComparison.Ordinal)).ToList();
        var line = Assert.Single(lines);
        Assert.Contains("18 images at 32 px", line);
        Assert.Contains("MaxCacheBytes (0 MiB)", line);
    }

    [Fact]
    public void Should_LogNothingAboutTheCache_When_ItFits()
    {
        var root = Track(ImageFiles.TrainValidFolder(["a", "b", "c"], 4, 2));
        var log = new StringWriter();
        using var data = ImageDataBunch.FromFolder(root, Small(size: 32, batchSize: 4, log: log));

        Assert.True(data.Train.IsCached);
        Assert.DoesNotContain("image cache", log.ToString());
    }
}
