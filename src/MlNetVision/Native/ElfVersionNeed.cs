namespace MlNetVision.Native;

/// <summary>One symbol-version requirement (<c>Elf64_Vernaux</c>) that a shared library declares on another library.</summary>
/// <param name="Library">The library the requirement is on, for example <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name, for example <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Index">The version index that <c>.gnu.version</c> uses for symbols bound to this version.</param>
/// <param name="IsWeak">Whether the <c>VER_FLG_WEAK</c> flag is set, so a missing version is tolerated by the loader.</param>
/// <param name="FlagsOffset">File offset of the 16-bit <c>vna_flags</c> field.</param>
/// <param name="ReferencedSymbols">Dynamic symbols bound to this version that a relocation actually uses.</param>
public sealed record ElfVersionNeed(
    string Library, string Version, int Index, bool IsWeak, long FlagsOffset, IReadOnlyList<string> ReferencedSymbols);
