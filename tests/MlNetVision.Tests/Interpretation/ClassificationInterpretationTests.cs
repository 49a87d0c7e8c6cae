using MlNetVision.Interpretation;

namespace MlNetVision.Tests.Interpretation;

public class ClassificationInterpretationTests
{
    [Fact]
    public void Should_CountConfusionMatrix_When_GivenHandCountedCase()
    {
        var cm = HandCountedCase.Create().ConfusionMatrix();
        Assert.Equal(new int[,] { { 1, 2, 0 }, { 1, 2, 0 }, { 0, 1, 1 } }, cm);
    }

    [Fact]
    public void Should_ShareEachRow_When_ConfusionMatrixIsNormalized()
    {
        var shares = HandCountedCase.Create().ConfusionMatrixShares();
        double[,] expected = { { 1 / 3.0, 2 / 3.0, 0 }, { 1 / 3.0, 2 / 3.0, 0 }, { 0, 0.5, 0.5 } };
        for (int a = 0; a < 3; a++)
            for (int p = 0; p < 3; p++)
                Assert.Equal(expected[a, p], shares[a, p], 12);
    }

    [Fact]
    public void Should_ListOffDiagonalCellsByCount_When_MostConfused()
    {
        var interp = HandCountedCase.Create();
        Assert.Equal(
            [new(0, 1, "cat", "dog", 2), new(1, 0, "dog", "cat", 1), new ConfusedPair(2, 1, "bird", "dog", 1)],
            interp.MostConfused());
        Assert.Equal([new ConfusedPair(0, 1, "cat", "dog", 2)], interp.MostConfused(minVal: 2));
        Assert.Empty(interp.MostConfused(minVal: 3));
    }

    [Fact]
    public void Should_ComputeCrossEntropyAndOrderTopLosses_When_LossesAreNotGiven()
    {
        var interp = HandCountedCase.Create();
        Assert.Equal(-Math.Log(0.7f), interp.Losses[0], 5);
        Assert.Equal(-Math.Log(0.05f), interp.Losses[7], 5);

        var top = interp.TopLosses(3);
        Assert.Equal([7, 2, 1], top.Select(t => t.Index)); // items 1 and 5 tie at −ln 0.3: item order decides
        Assert.Equal(new TopLoss(7, interp.Losses[7], 1, 2, "dog", "bird", 0.05f), top[0]);
        Assert.Equal(0.2f, top[1].ProbabilityOfActual);
        Assert.Equal(1, top[1].Predicted);

        var smallest = interp.TopLosses(2, largest: false);
        Assert.Equal([3, 6], smallest.Select(t => t.Index));
        Assert.Equal(8, interp.TopLosses().Count);
    }

    [Fact]
    public void Should_UseGivenLosses_When_LossesAreGiven()
    {
        var losses = new float[] { 9, 1, 1, 1, 1, 1, 1, 8 };
        var interp = ClassificationInterpretation.FromPredictions(HandCountedCase.Classes, HandCountedCase.Probabilities, HandCountedCase.Targets, losses);
        Assert.Equal([0, 7], interp.TopLosses(2).Select(t => t.Index));
        Assert.Equal(9f, interp.TopLosses(1)[0].Loss);
    }

    [Fact]
    public void Should_ComputePrecisionRecallF1_When_GivenHandCountedCase()
    {
        var interp = HandCountedCase.Create();
        var m = interp.PerClassMetrics();
        Assert.Equal(["cat", "dog", "bird"], m.Select(x => x.Name));
        Assert.Equal([3, 3, 2], m.Select(x => x.Support));
        Assert.Equal(0.5, m[0].Precision, 12);
        Assert.Equal(1 / 3.0, m[0].Recall, 12);
        Assert.Equal(0.4, m[0].F1, 12);
        Assert.Equal(0.4, m[1].Precision, 12);
        Assert.Equal(2 / 3.0, m[1].Recall, 12);
        Assert.Equal(0.5, m[1].F1, 12);
        Assert.Equal(1.0, m[2].Precision, 12);
        Assert.Equal(0.5, m[2].Recall, 12);
        Assert.Equal(2 / 3.0, m[2].F1, 12);
        Assert.Equal(0.5, interp.Accuracy(), 12);
        Assert.Equal((0.4 + 0.5 + 2 / 3.0) / 3, interp.MacroF1(), 12);
    }

    [Fact]
    public void Should_GiveSameNumbers_When_ProbabilitiesAreRectangularOrFlat()
    {
        var p = HandCountedCase.Probabilities;
        var rect = new float[p.Length, 3];
        for (int i = 0; i < p.Length; i++) for (int j = 0; j < 3; j++) rect[i, j] = p[i][j];
        var fromRect = ClassificationInterpretation.FromPredictions(HandCountedCase.Classes, rect, HandCountedCase.Targets);
        var fromFlat = ClassificationInterpretation.FromFlatPredictions(HandCountedCase.Classes, p.SelectMany(r => r).ToArray(), HandCountedCase.Targets);
        var reference = HandCountedCase.Create();
        Assert.Equal(reference.ConfusionMatrix(), fromRect.ConfusionMatrix());
        Assert.Equal(reference.ConfusionMatrix(), fromFlat.ConfusionMatrix());
        Assert.Equal(reference.Losses, fromRect.Losses);
        Assert.Equal(0.9f, fromRect.Probability(7, 1));
    }

    [Fact]
    public void Should_Throw_When_TargetIsOutOfRangeOrShapesDisagree()
    {
        var p = HandCountedCase.Probabilities;
        Assert.Throws<ArgumentException>(() => ClassificationInterpretation.FromPredictions(HandCountedCase.Classes, p, [0, 0, 0, 1, 1, 1, 2, 3]));
        Assert.Throws<ArgumentException>(() => ClassificationInterpretation.FromPredictions(HandCountedCase.Classes, p, [0, 1]));
        Assert.Throws<ArgumentException>(() => ClassificationInterpretation.FromPredictions(["a", "b"], p, HandCountedCase.Targets));
        Assert.Throws<ArgumentException>(() => ClassificationInterpretation.FromPredictions(HandCountedCase.Classes, p, HandCountedCase.Targets, new float[3]));
    }

    [Fact]
    public void Should_ExplainUnlabelledItems_When_TargetIsMinusOne()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            ClassificationInterpretation.FromPredictions(HandCountedCase.Classes, HandCountedCase.Probabilities, [0, 0, 0, 1, 1, 1, 2, -1]));
        Assert.Contains("Item 7 has no label", ex.Message);
    }

    [Fact]
    public void Should_UseMlNetConventions_When_ColumnsAreDefault()
    {
        var c = new InterpretationColumns();
        Assert.Equal("Label", c.LabelColumnName);
        Assert.Equal("Score", c.ScoreColumnName);
        Assert.Equal("PredictedLabel", c.PredictedLabelColumnName);
        Assert.Equal("ImagePath", c.ImagePathColumnName);
        Assert.Null(c.ImageBytesColumnName);
        Assert.Null(c.ImageFolder);
    }
}
