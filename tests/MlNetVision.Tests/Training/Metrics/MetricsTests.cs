using MlNetVision.Native;
using MlNetVision.Training.Metrics;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Training.Metrics;

public class MetricsTests
{
    public MetricsTests() => NativeBackend.EnsureLoaded();

    // Four items, three classes: arg-max is 0, 1, 2, 2; targets 0, 2, 2, 1 → 2 right, 2 wrong.
    private static Tensor Output() => tensor(new float[] { 3, 1, 0, 0, 2, 1, 0, 1, 5, 0.5f, 0.4f, 0.9f }).reshape(4, 3);
    private static Tensor Targets() => tensor(new long[] { 0, 2, 2, 1 });

    [Fact]
    public void Should_CountArgMaxHits_When_ComputingAccuracyAndErrorRate()
    {
        var accuracy = new Accuracy();
        var error = new ErrorRate();
        accuracy.Accumulate(Output(), Targets());
        error.Accumulate(Output(), Targets());
        Assert.Equal(0.5, accuracy.Value, 6);
        Assert.Equal(0.5, error.Value, 6);
        Assert.Equal("error_rate", error.Name);
    }

    [Fact]
    public void Should_CountTargetsAmongTheBestK_When_ComputingTopK()
    {
        var top2 = new TopKAccuracy(2);
        top2.Accumulate(Output(), Targets());
        // Item 1 (target 2, scores 0,2,1): 2nd best → hit; item 3 (target 1, 0.5,0.4,0.9): 3rd → miss.
        Assert.Equal(0.75, top2.Value, 6);
        var top5 = new TopKAccuracy();
        top5.Accumulate(Output(), Targets());
        Assert.Equal(1.0, top5.Value, 6);
    }

    [Fact]
    public void Should_WeightBatchesBySize_When_AccumulatingAnEpoch()
    {
        var error = new ErrorRate();
        error.Accumulate(Output(), Targets());                       // 2 wrong of 4
        error.Accumulate(Output()[..1], Targets()[..1]);             // 0 wrong of 1
        Assert.Equal(2.0 / 5, error.Value, 6);
        error.Reset();
        Assert.True(double.IsNaN(error.Value));
    }

    [Fact]
    public void Should_AverageAUserFunction_When_MetricIsMadeFromAFunction()
    {
        var meanTarget = Metric.FromFunction("mean_target", (_, t) => t.to_type(ScalarType.Float32).mean());
        meanTarget.Accumulate(Output(), Targets());
        Assert.Equal(1.25, meanTarget.Value, 6);
        Assert.Equal("mean_target", meanTarget.Name);
    }
}
