using MlNetVision.Data;

namespace MlNetVision.Tests.Data;

public sealed class CsvFileTests
{
    [Theory]
    [InlineData("a,b", new[] { "a", "b" })]
    [InlineData("\"x, y\",z", new[] { "x, y", "z" })]
    [InlineData("\"say \"\"hi\"\"\",2", new[] { "say \"hi\"", "2" })]
    [InlineData(" a , b ", new[] { " a ", " b " })]
    [InlineData("a,,", new[] { "a", "", "" })]
    [InlineData("", new[] { "" })]
    public void Should_SplitFieldsWithRfc4180Quotes_When_SplittingALine(string line, string[] expected)
    {
        Assert.Equal(expected, CsvFile.SplitLine(line));
    }

    [Fact]
    public void Should_SkipTheHeaderAndBlankLinesAndKeepLineNumbers_When_ReadingRows()
    {
        using var dir = new TempFolder("csv");
        var path = dir.File("labels.csv");
        File.WriteAllLines(path, ["name,label", "a.png,cat", "", "   ", "\"b,1.png\",dog"]);

        var rows = CsvFile.ReadRows(path).ToList();

        Assert.Equal([2, 5], rows.Select(r => r.LineNumber));
        Assert.Equal(["a.png", "cat"], rows[0].Fields);
        Assert.Equal(["b,1.png", "dog"], rows[1].Fields);
        Assert.Equal("\"b,1.png\",dog", rows[1].Text);
    }
}
