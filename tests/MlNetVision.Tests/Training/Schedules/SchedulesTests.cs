using MlNetVision.Training;
using MlNetVision.Training.Schedules;

namespace MlNetVision.Tests.Training.Schedules;

public class SchedulesTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void Should_MatchClosedForms_When_AnnealingAtAPosition(double p)
    {
        Assert.Equal(2 + (10 - 2) * (1 - Math.Cos(Math.PI * p)) / 2, Annealing.Cos(2, 10, p), 12);
        Assert.Equal(2 + 8 * p, Annealing.Linear(2, 10, p), 12);
        Assert.Equal(Math.Exp(Math.Log(1e-7) + p * (Math.Log(10) - Math.Log(1e-7))), Annealing.Exponential(1e-7, 10, p), 1e-12 * Annealing.Exponential(1e-7, 10, p));
    }

    [Fact]
    public void Should_SwitchPhasesAtTheShares_When_CombiningSchedules()
    {
        var s = Annealing.Combine([0.3, 0.7], [Annealing.SchedCos(0.3, 0.6), Annealing.SchedCos(0.6, 0.2)]);
        Assert.Equal(0.3, s(0), 12);
        Assert.Equal(0.45, s(0.15), 12);       // half-way through phase 1
        Assert.Equal(0.6, s(0.3), 12);         // start of phase 2
        Assert.Equal(0.4, s(0.65), 12);        // half-way through phase 2
        Assert.Equal(0.2, s(1), 12);
        Assert.Throws<ArgumentException>(() => Annealing.Combine([0.3, 0.3], [Annealing.SchedLin(0, 1), Annealing.SchedLin(1, 0)]));
    }

    [Theory]
    [InlineData(100, 0.3)]
    [InlineData(37, 0.25)]
    [InlineData(10, 0.3)]
    public void Should_MatchPyTorchOneCycleLr_When_SteppingThroughTheCycle(int total, double pctStart)
    {
        double[] max = [1e-5, 1e-4, 1e-3];
        var schedule = new OneCycleSchedule(total, max, new OneCycleOptions { PctStart = pctStart });
        // PyTorch OneCycleLR (three_phase=False): phase 1 ends at pct_start*total - 1, phase 2 at total - 1;
        // lr = end + (start - end)/2 * (1 + cos(pi * pct)); initial = max/25, min = initial/1e4.
        double peak = pctStart * total - 1;
        for (int step = 0; step < total; step++)
        {
            bool up = step <= peak;
            double pct = up ? step / peak : (step - peak) / (total - 1 - peak);
            var rates = schedule.LearningRates(step);
            for (int g = 0; g < 3; g++)
            {
                double initial = max[g] / 25, min = initial / 1e4;
                double expected = up ? max[g] + (initial - max[g]) / 2 * (1 + Math.Cos(Math.PI * pct))
                                     : min + (max[g] - min) / 2 * (1 + Math.Cos(Math.PI * pct));
                Assert.Equal(expected, rates[g], 1e-15 + 1e-12 * max[g]);
            }
            double mom = up ? 0.85 + (0.95 - 0.85) / 2 * (1 + Math.Cos(Math.PI * pct))
                            : 0.95 + (0.85 - 0.95) / 2 * (1 + Math.Cos(Math.PI * pct));
            Assert.Equal(mom, schedule.Momentum(step), 12);
        }
        Assert.Equal(1e-3 / 25, schedule.LearningRates(0)[2], 15);
        Assert.Equal(1e-3 / (25 * 1e4), schedule.LearningRates(total - 1)[2], 1e-22);
        Assert.Equal(0.95, schedule.Momentum(0), 12);
        Assert.Equal(0.95, schedule.Momentum(total - 1), 12);
    }

    [Fact]
    public void Should_PeakAtMaxLrAndLowestMomentum_When_PhaseOneEndsOnAStep()
    {
        var schedule = new OneCycleSchedule(100, [0.01]);
        Assert.Equal(0.01, schedule.LearningRates(29)[0], 15);   // 0.3 * 100 - 1
        Assert.Equal(0.85, schedule.Momentum(29), 12);
        Assert.True(schedule.LearningRates(28)[0] < 0.01 && schedule.LearningRates(30)[0] < 0.01);
    }

    [Fact]
    public void Should_UseFastAiDefaults_When_OneCycleOptionsAreNew()
    {
        var o = new OneCycleOptions();
        Assert.Equal(25, o.DivFactor);
        Assert.Equal(0.3, o.PctStart);
        Assert.Null(o.FinalDiv);
        Assert.Equal(25 * 1e4, o.FinalDivFactor);
        Assert.Equal((0.95, 0.85), o.Moms);
    }
}
