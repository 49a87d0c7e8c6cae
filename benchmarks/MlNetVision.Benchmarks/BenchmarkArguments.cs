using System.Globalization;

namespace MlNetVision.Benchmarks;

/// <summary>A wrong or missing command-line option.</summary>
internal sealed class BenchmarkArgumentException(string message) : Exception(message);

/// <summary><c>--name value</c> pairs and <c>--flag</c> switches after the case name.</summary>
internal sealed class BenchmarkArguments
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.OrdinalIgnoreCase);

    public static BenchmarkArguments Parse(IEnumerable<string> args)
    {
        var result = new BenchmarkArguments();
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            var a = list[i];
            if (!a.StartsWith("--", StringComparison.Ordinal)) throw new BenchmarkArgumentException($"Unexpected argument '{a}'; options look like --name value.");
            var name = a[2..];
            string? value = i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal) ? list[++i] : null;
            result._values[name] = value;
        }
        return result;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public bool Help => Has("help");

    public string GetString(string name, string fallback) => _values.TryGetValue(name, out var v) && v is not null ? v : fallback;

    public string? GetOptional(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public int GetInt(string name, int fallback) =>
        _values.TryGetValue(name, out var v) && v is not null
            ? int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new BenchmarkArgumentException($"--{name} expects an integer, got '{v}'.")
            : fallback;

    public double GetDouble(string name, double fallback) =>
        _values.TryGetValue(name, out var v) && v is not null
            ? double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? n : throw new BenchmarkArgumentException($"--{name} expects a number, got '{v}'.")
            : fallback;

    /// <summary>A comma-separated list.</summary>
    public IReadOnlyList<string> GetList(string name, string fallback) =>
        GetString(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
