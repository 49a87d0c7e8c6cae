using System.Globalization;
using System.Text;

namespace MlNetVision.Benchmarks.Measurement;

/// <summary>A plain-text table printed as rows arrive (so a long run shows progress), Markdown-compatible.</summary>
internal sealed class ResultTable(params string[] columns)
{
    private bool _headerPrinted;

    public void Print(params object?[] cells)
    {
        if (!_headerPrinted)
        {
            Console.WriteLine("| " + string.Join(" | ", columns) + " |");
            Console.WriteLine("|" + string.Concat(columns.Select(_ => " --- |")));
            _headerPrinted = true;
        }
        var sb = new StringBuilder("| ");
        sb.AppendJoin(" | ", cells.Select(Format));
        sb.Append(" |");
        Console.WriteLine(sb.ToString());
    }

    public static string Format(object? value) => value switch
    {
        null => "n/a",
        double d when double.IsNaN(d) => "n/a",
        double d when Math.Abs(d) >= 100 => d.ToString("0", CultureInfo.InvariantCulture),
        double d when Math.Abs(d) >= 10 => d.ToString("0.0", CultureInfo.InvariantCulture),
        double d => d.ToString("0.00", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    public static double Ratio(double ours, double theirs) => double.IsNaN(ours) || double.IsNaN(theirs) || theirs == 0 ? double.NaN : ours / theirs;
}
