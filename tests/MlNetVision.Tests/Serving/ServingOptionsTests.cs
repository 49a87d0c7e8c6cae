using WebApi;

namespace MlNetVision.Tests.Serving;

public class ServingOptionsTests
{
    [Fact]
    public void Should_DocumentEveryDefault_When_OptionsAreCreated()
    {
        var options = new ServingOptions();
        Assert.Null(options.ModelPath);
        Assert.Equal(ServingOptions.DefaultMaxUploadBytes, options.MaxUploadBytes);
        Assert.Equal(8L * 1024 * 1024, options.MaxUploadBytes);
        Assert.Equal(ServingOptions.DefaultMaxImagePixels, options.MaxImagePixels);
        Assert.Equal(4096L * 4096, options.MaxImagePixels);
        Assert.Equal(ServingOptions.DefaultTopK, options.TopK);
        Assert.Equal(3, options.TopK);
        Assert.Null(options.MaxConcurrentPredictions);
        Assert.Equal(Environment.ProcessorCount, options.EffectiveConcurrency);
        Assert.Equal(ServingOptions.DefaultMinUploadBytesPerSecond, options.MinUploadBytesPerSecond);
        Assert.Equal(240, options.MinUploadBytesPerSecond);
        Assert.Equal(ServingOptions.DefaultUploadGracePeriod, options.UploadGracePeriod);
        Assert.Equal(TimeSpan.FromSeconds(5), options.UploadGracePeriod);
        Assert.Equal(ServingOptions.DefaultUploadTimeout, options.UploadTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.UploadTimeout);
    }

    [Fact]
    public void Should_MatchKestrelsOwnBodyRate_When_TheRateIsNotConfigured()
    {
        var kestrel = new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits().MinRequestBodyDataRate!;
        Assert.Equal(ServingOptions.DefaultMinUploadBytesPerSecond, kestrel.BytesPerSecond);
        Assert.Equal(kestrel.GracePeriod, ServingOptions.DefaultUploadGracePeriod);
    }
}
