using System.Text.RegularExpressions;

namespace MlNetVision.Data;

public sealed partial class ImageDataBunch
{
    /// <summary>
    /// Builds a bunch from an ImageNet-style folder: <c>train/</c> and <c>valid/</c> (optional <c>test/</c>) with one
    /// folder per class; or, without <c>train/</c>, one folder of class folders split at random by
    /// <see cref="ImageDataBunchOptions.ValidPct"/> (also used when <c>train/</c> has no <c>valid/</c> beside it).
    /// </summary>
    /// <param name="path">The data root.</param>
    /// <param name="options">How to build it; <c>null</c> for the defaults.</param>
    /// <returns>The bunch; dispose it to free the decoded images.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="path"/> does not exist.</exception>
    /// <exception cref="BadInputException">No usable training image, or bad input under <see cref="ImageDataBunchOptions.Strict"/>.</exception>
    public static ImageDataBunch FromFolder(string path, ImageDataBunchOptions? options = null)
    {
        options ??= new ImageDataBunchOptions();
        var root = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"Data folder '{root}' does not exist.");
        var skipped = new List<SkippedInput>();
        var trainDir = System.IO.Path.Combine(root, options.TrainFolder);
        var validDir = System.IO.Path.Combine(root, options.ValidFolder);
        var testDir = System.IO.Path.Combine(root, options.TestFolder);
        List<RawItem> train, valid;
        if (Directory.Exists(trainDir))
        {
            train = ClassFolderItems(trainDir, skipped);
            if (Directory.Exists(validDir)) valid = ClassFolderItems(validDir, skipped);
            else (train, valid) = RandomSplit(train, options.ValidPct, options.Seed);
        }
        else
        {
            var ignore = new[] { options.ValidFolder, options.TestFolder, "models" };
            (train, valid) = RandomSplit(ClassFolderItems(root, skipped, ignore), options.ValidPct, options.Seed);
        }
        var test = Directory.Exists(testDir) ? ImageFolders.ImageFiles(testDir, skipped).Select(f => new RawItem(ImageSource.FromFile(f), null)).ToList() : null;
        return Build(root, train, valid, test, options, skipped);
    }

    /// <summary>
    /// Builds a bunch from a list of files whose label is the first group of a regular expression matched against the
    /// full path with '/' separators (fastai's <c>from_name_re</c>, e.g. <c>/([^/]+)_\d+.jpg$</c>), split at random by
    /// <see cref="ImageDataBunchOptions.ValidPct"/>. Files that do not match are skipped.
    /// </summary>
    /// <param name="path">The data root.</param>
    /// <param name="files">The image files (absolute, or relative to <paramref name="path"/>).</param>
    /// <param name="pattern">A regular expression whose first group is the label.</param>
    /// <param name="options">How to build it; <c>null</c> for the defaults.</param>
    /// <returns>The bunch; dispose it to free the decoded images.</returns>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> has no capturing group.</exception>
    /// <exception cref="BadInputException">No usable training image, or bad input under <see cref="ImageDataBunchOptions.Strict"/>.</exception>
    public static ImageDataBunch FromNameRe(string path, IEnumerable<string> files, string pattern, ImageDataBunchOptions? options = null)
    {
        options ??= new ImageDataBunchOptions();
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        if (regex.GetGroupNumbers().Length < 2) throw new ArgumentException($"The pattern '{pattern}' has no capturing group for the label.", nameof(pattern));
        var root = System.IO.Path.GetFullPath(path);
        var skipped = new List<SkippedInput>();
        var items = new List<RawItem>();
        foreach (var file in files.Select(f => System.IO.Path.GetFullPath(f, root)).OrderBy(f => f, StringComparer.Ordinal))
        {
            var match = regex.Match(file.Replace('\\', '/'));
            if (!match.Success || match.Groups[1].Value.Length == 0) skipped.Add(new SkippedInput(file, $"file name does not match '{pattern}'"));
            else items.Add(new RawItem(ImageSource.FromFile(file), match.Groups[1].Value));
        }
        var (train, valid) = RandomSplit(items, options.ValidPct, options.Seed);
        return Build(root, train, valid, null, options, skipped);
    }

    /// <summary>
    /// Builds a bunch from parallel lists of files and labels (fastai's <c>from_lists</c>), split at random by
    /// <see cref="ImageDataBunchOptions.ValidPct"/>.
    /// </summary>
    /// <param name="path">The data root; relative file names are resolved against it.</param>
    /// <param name="files">The image files.</param>
    /// <param name="labels">The label of each file.</param>
    /// <param name="options">How to build it; <c>null</c> for the defaults.</param>
    /// <returns>The bunch; dispose it to free the decoded images.</returns>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    /// <exception cref="BadInputException">No usable training image, or bad input under <see cref="ImageDataBunchOptions.Strict"/>.</exception>
    public static ImageDataBunch FromLists(string path, IEnumerable<string> files, IEnumerable<string> labels, ImageDataBunchOptions? options = null)
    {
        options ??= new ImageDataBunchOptions();
        var f = files.ToArray();
        var l = labels.ToArray();
        if (f.Length != l.Length) throw new ArgumentException($"{f.Length} files but {l.Length} labels.", nameof(labels));
        var root = System.IO.Path.GetFullPath(path);
        var skipped = new List<SkippedInput>();
        var items = new List<RawItem>();
        for (var i = 0; i < f.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(l[i])) { skipped.Add(new SkippedInput(f[i], "empty label")); continue; }
            items.Add(new RawItem(ImageSource.FromFile(System.IO.Path.GetFullPath(f[i], root)), l[i]));
        }
        var (train, valid) = RandomSplit(items, options.ValidPct, options.Seed);
        return Build(root, train, valid, null, options, skipped);
    }

    /// <summary>The files of each class folder under <paramref name="dir"/>, labelled by folder name (see <see cref="ImageFolders.ClassFolders"/>).</summary>
    private static List<RawItem> ClassFolderItems(string dir, List<SkippedInput> skipped, IReadOnlyCollection<string>? ignore = null) =>
        ImageFolders.ClassFolders(dir, skipped, ignore).Select(f => new RawItem(ImageSource.FromFile(f.Path), f.Label)).ToList();
}
