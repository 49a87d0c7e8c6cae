using System.Globalization;

namespace MlNetVision.Benchmarks.Measurement;

/// <summary>The 1, 5 and 15 minute load averages from <c>/proc/loadavg</c>, recorded next to every figure.</summary>
internal readonly record struct LoadAverage(double One, double Five, double Fifteen)
{
    public static LoadAverage Read()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            double P(int i) => double.Parse(parts[i], CultureInfo.InvariantCulture);
            return new LoadAverage(P(0), P(1), P(2));
        }
        catch (IOException)
        {
            return new LoadAverage(double.NaN, double.NaN, double.NaN);
        }
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{One:0.00} {Five:0.00} {Fifteen:0.00}");
}
