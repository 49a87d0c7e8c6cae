using MlNetVision.Cli.Output;
using MlNetVision.Cli.Running;
using MlNetVision.Data;

namespace MlNetVision.Cli.Arguments;

/// <summary>Builds the library's <see cref="ImageDataBunch"/> for a resolved data argument, turning its failures into exit codes.</summary>
public static class DataBunchFactory
{
    /// <summary>
    /// <see cref="ImageDataBunch.FromFolder"/> for a folder, <see cref="ImageDataBunch.FromCsv"/> for a CSV (file names
    /// relative to the CSV's folder). Skipped files are reported as one warning on standard error.
    /// </summary>
    /// <exception cref="CliException">The data does not exist (exit 3) or holds no usable images or fewer than two classes (exit 4).</exception>
    public static ImageDataBunch Create(DataInput input, int size, int batchSize, double validPct, int seed, CliOutput output)
    {
        var options = new ImageDataBunchOptions
        {
            Size = size,
            BatchSize = batchSize,
            ValidPct = validPct,
            Seed = seed,
            Log = new WarningWriter(output),
        };
        ImageDataBunch bunch;
        try
        {
            bunch = input.Kind == DataInputKind.Csv
                ? ImageDataBunch.FromCsv(Path.GetDirectoryName(input.Path)!, Path.GetFileName(input.Path), options: options)
                : ImageDataBunch.FromFolder(input.Path, options);
        }
        catch (DirectoryNotFoundException e) { throw CliException.NotFound(e.Message); }
        catch (FileNotFoundException e) { throw CliException.NotFound(e.Message); }
        catch (BadInputException e) { throw CliException.BadData(FirstLines(e.Message, 6), e); }
        catch (InvalidDataException e) { throw CliException.BadData($"Cannot read '{input.Path}': {e.Message}", e); }
        if (bunch.C < 2)
        {
            var only = bunch.Classes.FirstOrDefault() ?? "none";
            bunch.Dispose();
            throw CliException.BadData($"'{input.Path}' has {(only == "none" ? "no class" : $"a single class ({only})")}: a classifier needs at least two classes (one folder per class).");
        }
        if (bunch.Valid.Count == 0)
        {
            bunch.Dispose();
            throw CliException.BadData($"'{input.Path}' leaves no image for validation: add a valid/ folder or more images.");
        }
        return bunch;
    }

    private static string FirstLines(string text, int count)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        return lines.Count <= count ? string.Join(Environment.NewLine, lines)
            : string.Join(Environment.NewLine, lines.Take(count)) + $"{Environment.NewLine}  ... and {lines.Count - count} more";
    }

    /// <summary>Turns the data bunch's log lines into <c>warning:</c> lines on standard error.</summary>
    private sealed class WarningWriter(CliOutput output) : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void WriteLine(string? value)
        {
            if (value is null) return;
            const string prefix = "MlNetVision.Data warning: ";
            output.Warning(value.StartsWith(prefix, StringComparison.Ordinal) ? value[prefix.Length..] : value);
        }

        public override void Write(char value) => output.Error.Write(value);
    }
}
