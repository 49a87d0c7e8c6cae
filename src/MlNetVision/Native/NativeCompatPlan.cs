using System.Text;

namespace MlNetVision.Native;

/// <summary>
/// The decision of the compatibility step as a pure function of the shim's needs and what the system offers:
/// which unmet needs can be marked weak (no relocation uses them) and which cannot.
/// </summary>
public sealed class NativeCompatPlan
{
    private NativeCompatPlan(IReadOnlyList<ElfVersionNeed> toMarkWeak, IReadOnlyList<ElfVersionNeed> cannotHelp)
    {
        ToMarkWeak = toMarkWeak;
        CannotHelp = cannotHelp;
    }

    /// <summary>Unmet needs that no relocation uses: safe to mark weak.</summary>
    public IReadOnlyList<ElfVersionNeed> ToMarkWeak { get; }

    /// <summary>Unmet needs that relocations use: only a newer library can satisfy them.</summary>
    public IReadOnlyList<ElfVersionNeed> CannotHelp { get; }

    /// <summary>Plans the step for <paramref name="shim"/> against the versions <paramref name="offered"/> by <paramref name="library"/>.</summary>
    public static NativeCompatPlan Create(ElfVersionInfo shim, string library, IReadOnlySet<string> offered)
    {
        var unmet = shim.Needs.Where(n => n.Library == library && !n.IsWeak && !offered.Contains(n.Version)).ToList();
        return new NativeCompatPlan(
            unmet.Where(n => n.ReferencedSymbols.Count == 0).ToList(),
            unmet.Where(n => n.ReferencedSymbols.Count > 0).ToList());
    }

    /// <summary>The message for a system this step cannot help.</summary>
    public string DescribeFailure(string shim, string? libStdCxx, IReadOnlySet<string> offered)
    {
        var newest = offered.Where(v => v.StartsWith("GLIBCXX_", StringComparison.Ordinal))
            .OrderBy(v => v, Comparer<string>.Create(CompareVersions)).LastOrDefault() ?? "none";
        var sb = new StringBuilder();
        sb.Append($"TorchSharp's native shim {shim} needs ");
        sb.Append(string.Join(", ", CannotHelp.Select(n => $"{n.Version} (used by {string.Join(", ", n.ReferencedSymbols.Take(3))}{(n.ReferencedSymbols.Count > 3 ? ", ..." : "")})")));
        sb.Append($" from libstdc++.so.6, but the system's {libStdCxx ?? "libstdc++ (not found)"} offers versions up to {newest}. ");
        sb.Append("These symbols are really called, so the compatibility step cannot help. ");
        sb.Append("Install a newer libstdc++6 (from GCC 13 or later, e.g. Debian 13 / Ubuntu 24.04), or use a TorchSharp build made for this system.");
        return sb.ToString();
    }

    private static int CompareVersions(string a, string b)
    {
        static int[] Parts(string v) => v[(v.IndexOf('_') + 1)..].Split('.').Select(p => int.TryParse(p, out var i) ? i : 0).ToArray();
        var (x, y) = (Parts(a), Parts(b));
        for (int i = 0; i < Math.Max(x.Length, y.Length); i++)
        {
            int c = (i < x.Length ? x[i] : 0).CompareTo(i < y.Length ? y[i] : 0);
            if (c != 0) return c;
        }
        return 0;
    }
}
