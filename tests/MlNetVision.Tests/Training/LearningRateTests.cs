using MlNetVision.Training;

namespace MlNetVision.Tests.Training;

public class LearningRateTests
{
    [Fact]
    public void Should_SpreadGeometrically_When_SliceHasTwoEnds()
    {
        var rates = LearningRate.Slice(1e-6, 1e-4).ForGroups(3);
        Assert.Equal(1e-6, rates[0], 1e-20);
        Assert.Equal(1e-5, rates[1], 1e-19);
        Assert.Equal(1e-4, rates[2], 1e-18);
        var four = LearningRate.Slice(1e-3, 1).ForGroups(4);
        Assert.Equal(1e-2, four[1], 14);
        Assert.Equal(1e-1, four[2], 13);
    }

    [Fact]
    public void Should_GiveATenthToAllButTheLast_When_SliceHasOneEnd()
    {
        Assert.Equal([3e-3 / 10, 3e-3 / 10, 3e-3], LearningRate.Slice(3e-3).ForGroups(3));
    }

    [Fact]
    public void Should_GiveEveryGroupTheSameRate_When_ANumberIsGiven()
    {
        LearningRate lr = 0.01;
        Assert.Equal([0.01, 0.01, 0.01], lr.ForGroups(3));
        Assert.False(lr.IsSlice);
    }

    [Fact]
    public void Should_BeSlice3eMinus3_When_Default()
    {
        Assert.Equal(LearningRate.Slice(3e-3), LearningRate.Default);
        Assert.Equal("slice(0.003)", LearningRate.Default.ToString());
        Assert.Equal("slice(1E-06, 0.0001)", LearningRate.Slice(1e-6, 1e-4).ToString());
    }

    [Fact]
    public void Should_Throw_When_RateIsNotPositive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRate.Constant(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRate.Slice(-1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRate.Constant(double.NaN));
    }

    [Theory]
    [InlineData("auto", "auto")]
    [InlineData(" AUTO ", "auto")]
    [InlineData("1e-4", "slice(0.0001)")]
    [InlineData("1e-6:1e-4", "slice(1E-06, 0.0001)")]
    [InlineData("slice(0.003)", "slice(0.003)")]
    [InlineData("slice(1E-06, 0.0001)", "slice(1E-06, 0.0001)")]
    public void Should_ReadTheCommandLineForms_When_Parsing(string text, string expected)
    {
        var rate = LearningRate.Parse(text);
        Assert.Equal(expected, rate.ToString());
        Assert.Equal(rate, LearningRate.Parse(rate.ToString()));
    }

    [Theory]
    [InlineData("fast", "is not a learning rate")]
    [InlineData("-1", "is not a learning rate")]
    [InlineData("0", "is not a learning rate")]
    [InlineData("1e-3:1e-5", "the low end of a range must not exceed the high end")]
    public void Should_ExplainTheForms_When_TextIsNotALearningRate(string text, string expected)
    {
        Assert.False(LearningRate.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
        Assert.Contains(expected, Assert.Throws<FormatException>(() => LearningRate.Parse(text)).Message);
    }

    [Fact]
    public void Should_HaveNoRates_When_Auto()
    {
        Assert.True(LearningRate.Auto.IsAuto);
        Assert.Equal(LearningRate.Auto, LearningRate.Parse("auto"));
        Assert.NotEqual(LearningRate.Auto, LearningRate.Slice(1e-3));
        Assert.Throws<InvalidOperationException>(() => LearningRate.Auto.ForGroups(3));
    }
}
