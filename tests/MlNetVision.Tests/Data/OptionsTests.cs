using MlNetVision.Data;

namespace MlNetVision.Tests.Data;

public sealed class OptionsTests
{
    [Fact]
    public void Should_HoldFastAiDefaults_When_Created()
    {
        var t = new TransformOptions();
        Assert.True(t.DoFlip);
        Assert.False(t.FlipVert);
        Assert.Equal(10f, t.MaxRotate);
        Assert.Equal(1.1f, t.MaxZoom);
        Assert.Equal(0.2f, t.MaxLighting);
        Assert.Equal(0.2f, t.MaxWarp);
        Assert.Equal(0.75f, t.PAffine);
        Assert.Equal(0.75f, t.PLighting);
        Assert.True(t.RandomCrop);
        Assert.True(TransformOptions.None().IsIdentity);

        var o = new ImageDataBunchOptions();
        Assert.Equal(0.2, o.ValidPct);
        Assert.Equal(224, o.Size);
        Assert.Equal(64, o.BatchSize);
        Assert.Equal(42, o.Seed);
        Assert.Equal(ResizeMethod.Crop, o.ResizeMethod);
        Assert.False(o.Strict);
        Assert.Equal(Environment.ProcessorCount, o.NumWorkers);
        Assert.Equal(89_478_485, o.MaxPixels);
        Assert.Equal(4L << 30, o.MaxCacheBytes);
        Assert.Null(o.Prefetch);
        Assert.Null(o.Log);
        Assert.Null(o.Classes);
        Assert.Equal(("train", "valid", "test"), (o.TrainFolder, o.ValidFolder, o.TestFolder));
        Assert.False(o.Transforms.IsIdentity);
    }
}
