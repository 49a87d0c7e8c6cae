using MlNetVision.Interpretation;
using MlNetVision.Rendering;
using MlNetVision.Tests.Interpretation;

namespace MlNetVision.Tests.Rendering;

public class InterpretationTextTablesTests
{
    [Fact]
    public void Should_PrintCounts_When_FormattingConfusionMatrix()
    {
        var text = InterpretationTextTables.ConfusionMatrix(HandCountedCase.Create());
        Assert.Equal(
            "actual \\ predicted  cat  dog  bird\n" +
            "----------------------------------\n" +
            "cat                   1    2     0\n" +
            "dog                   1    2     0\n" +
            "bird                  0    1     1\n", text);
    }

    [Fact]
    public void Should_PrintRowShares_When_Normalized()
    {
        var lines = InterpretationTextTables.ConfusionMatrix(HandCountedCase.Create(), normalize: true).Split('\n');
        Assert.Equal("cat                 0.33  0.67  0.00", lines[2]);
        Assert.Equal("bird                0.00  0.50  0.50", lines[4]);
    }

    [Fact]
    public void Should_ListPairsByCount_When_FormattingMostConfused()
    {
        Assert.Equal(
            "actual  predicted  count\n" +
            "------------------------\n" +
            "cat     dog            2\n" +
            "dog     cat            1\n" +
            "bird    dog            1\n", InterpretationTextTables.MostConfused(HandCountedCase.Create()));
    }

    [Fact]
    public void Should_PrintMetricsAndAccuracy_When_FormattingPerClassMetrics()
    {
        var lines = InterpretationTextTables.PerClassMetrics(HandCountedCase.Create()).Split('\n');
        Assert.Equal("class  precision  recall      f1  support", lines[0]);
        Assert.Equal("cat       0.5000  0.3333  0.4000        3", lines[2]);
        Assert.Equal("bird      1.0000  0.5000  0.6667        2", lines[4]);
        Assert.Equal("accuracy 0.5000, macro f1 0.5222, items 8", lines[5]);
    }

    [Fact]
    public void Should_ListLargestLossesFirst_When_FormattingTopLosses()
    {
        var lines = InterpretationTextTables.TopLosses(HandCountedCase.Create(), 2).Split('\n');
        Assert.Equal("item  predicted  actual    loss  probability", lines[0]);
        Assert.Equal("7     dog        bird    2.9957       0.0500", lines[2]);
        Assert.Equal("2     dog        cat     1.6094       0.2000", lines[3]);
    }
}
