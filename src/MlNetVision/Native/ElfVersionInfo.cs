using System.Buffers.Binary;
using System.Text;

namespace MlNetVision.Native;

/// <summary>
/// A minimal reader for the parts of a 64-bit little-endian ELF shared library that decide whether the
/// dynamic loader accepts it: the version needs (<c>.gnu.version_r</c>), the version definitions
/// (<c>.gnu.version_d</c>), and which versioned symbols relocations really use.
/// </summary>
public sealed class ElfVersionInfo
{
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVersym = 0x6fffffff;
    private const uint ShtDynsym = 11;
    private const uint ShtRela = 4;
    /// <summary>The <c>VER_FLG_WEAK</c> bit of <c>vna_flags</c>.</summary>
    public const ushort VerFlagWeak = 0x2;

    private ElfVersionInfo(IReadOnlyList<ElfVersionNeed> needs, IReadOnlyList<string> definitions, string? soname)
    {
        Needs = needs;
        Definitions = definitions;
        Soname = soname;
    }

    /// <summary>Version requirements on other libraries.</summary>
    public IReadOnlyList<ElfVersionNeed> Needs { get; }

    /// <summary>Versions this library defines (what it offers to others), for example every <c>GLIBCXX_*</c> of libstdc++.</summary>
    public IReadOnlyList<string> Definitions { get; }

    /// <summary>The library's <c>DT_SONAME</c>, when it has one.</summary>
    public string? Soname { get; }

    /// <summary>Reads the version information of the ELF file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF file.</exception>
    public static ElfVersionInfo Read(string path) => Parse(File.ReadAllBytes(path));

    /// <summary>Parses the version information of an ELF image held in memory.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a 64-bit little-endian ELF file.</exception>
    public static ElfVersionInfo Parse(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("Not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");

        long shoff = (long)U64(elf, 0x28);
        int shentsize = U16(elf, 0x3a), shnum = U16(elf, 0x3c);
        var sections = new List<(uint Type, long Offset, long Size, int Link, uint Info, long EntSize)>(shnum);
        for (int i = 0; i < shnum; i++)
        {
            var s = elf.Slice((int)(shoff + (long)i * shentsize), shentsize);
            sections.Add((U32(s, 4), (long)U64(s, 0x18), (long)U64(s, 0x20), (int)U32(s, 0x28), U32(s, 0x2c), (long)U64(s, 0x38)));
        }

        int dynsymIndex = sections.FindIndex(s => s.Type == ShtDynsym);
        var symbolNames = new List<string>();
        var symbolVersions = new List<int>();
        if (dynsymIndex >= 0)
        {
            var dynsym = sections[dynsymIndex];
            var strtab = sections[dynsym.Link];
            int count = (int)(dynsym.Size / 24);
            for (int i = 0; i < count; i++)
                symbolNames.Add(CString(elf, strtab.Offset + U32(elf, (int)(dynsym.Offset + i * 24L))));
            var versym = sections.Find(s => s.Type == ShtGnuVersym);
            for (int i = 0; i < count; i++)
                symbolVersions.Add(versym.Size > 0 ? U16(elf, (int)(versym.Offset + 2L * i)) & 0x7fff : 0);
        }

        var usedSymbols = new HashSet<int>();
        foreach (var rela in sections.Where(s => s.Type == ShtRela && s.Link == dynsymIndex && s.EntSize == 24))
        {
            for (long r = 0; r < rela.Size / 24; r++)
                usedSymbols.Add((int)(U64(elf, (int)(rela.Offset + r * 24 + 8)) >> 32));
        }

        var needs = new List<ElfVersionNeed>();
        foreach (var sec in sections.Where(s => s.Type == ShtGnuVerneed))
        {
            var strtab = sections[sec.Link];
            long offset = sec.Offset;
            for (uint n = 0; n < sec.Info; n++)
            {
                int cnt = U16(elf, (int)offset + 2);
                string file = CString(elf, strtab.Offset + U32(elf, (int)offset + 4));
                long aux = offset + U32(elf, (int)offset + 8);
                for (int a = 0; a < cnt; a++)
                {
                    ushort flags = U16(elf, (int)aux + 4);
                    int index = U16(elf, (int)aux + 6);
                    string name = CString(elf, strtab.Offset + U32(elf, (int)aux + 8));
                    var referenced = Enumerable.Range(0, symbolVersions.Count)
                        .Where(i => symbolVersions[i] == index && usedSymbols.Contains(i))
                        .Select(i => symbolNames[i]).ToList();
                    needs.Add(new ElfVersionNeed(file, name, index, (flags & VerFlagWeak) != 0, aux + 4, referenced));
                    aux += U32(elf, (int)aux + 12);
                }
                uint next = U32(elf, (int)offset + 12);
                if (next == 0) break;
                offset += next;
            }
        }

        var definitions = new List<string>();
        foreach (var sec in sections.Where(s => s.Type == ShtGnuVerdef))
        {
            var strtab = sections[sec.Link];
            long offset = sec.Offset;
            for (uint n = 0; n < sec.Info; n++)
            {
                long aux = offset + U32(elf, (int)offset + 12);
                definitions.Add(CString(elf, strtab.Offset + U32(elf, (int)aux)));
                uint next = U32(elf, (int)offset + 16);
                if (next == 0) break;
                offset += next;
            }
        }

        return new ElfVersionInfo(needs, definitions, ReadSoname(elf, sections.Select(s => (s.Type, s.Offset, s.Size, s.Link)).ToList()));
    }

    /// <summary>
    /// Returns a copy of <paramref name="elf"/> in which the given version requirements are marked weak
    /// (<c>VER_FLG_WEAK</c>). Nothing else changes: the copy differs from the original in those flag bytes only.
    /// </summary>
    public static byte[] MarkWeak(ReadOnlySpan<byte> elf, IEnumerable<ElfVersionNeed> needs)
    {
        var copy = elf.ToArray();
        foreach (var need in needs)
        {
            var span = copy.AsSpan((int)need.FlagsOffset, 2);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span) | VerFlagWeak));
        }
        return copy;
    }

    private static string? ReadSoname(ReadOnlySpan<byte> elf, List<(uint Type, long Offset, long Size, int Link)> sections)
    {
        const uint ShtDynamic = 6;
        var dyn = sections.FindIndex(s => s.Type == ShtDynamic);
        if (dyn < 0) return null;
        var (_, offset, size, link) = sections[dyn];
        for (long p = offset; p + 16 <= offset + size; p += 16)
        {
            long tag = (long)U64(elf, (int)p);
            if (tag == 0) break;
            if (tag == 14) // DT_SONAME
                return CString(elf, sections[link].Offset + (long)U64(elf, (int)p + 8));
        }
        return null;
    }

    private static ushort U16(ReadOnlySpan<byte> b, int o) => BinaryPrimitives.ReadUInt16LittleEndian(b[o..]);
    private static uint U32(ReadOnlySpan<byte> b, int o) => BinaryPrimitives.ReadUInt32LittleEndian(b[o..]);
    private static ulong U64(ReadOnlySpan<byte> b, int o) => BinaryPrimitives.ReadUInt64LittleEndian(b[o..]);

    private static string CString(ReadOnlySpan<byte> b, long offset)
    {
        var rest = b[(int)offset..];
        int end = rest.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? rest : rest[..end]);
    }
}
