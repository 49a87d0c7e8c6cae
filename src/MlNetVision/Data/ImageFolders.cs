namespace MlNetVision.Data;

/// <summary>
/// Finds image files on disk the way every folder source of <see cref="ImageDataBunch"/> does: by extension
/// (<see cref="ImageDataBunch.ImageExtensions"/>), recursively, in ordinal path order, and labelled by the name of their
/// class folder. Files that are left out are reported, so callers can warn or refuse.
/// </summary>
public static class ImageFolders
{
    /// <summary>Whether <paramref name="path"/> has one of the <see cref="ImageDataBunch.ImageExtensions"/> (any case).</summary>
    public static bool IsImageFile(string path) =>
        ImageDataBunch.ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>The image files under <paramref name="dir"/> (recursive, ordinal order).</summary>
    /// <param name="dir">The folder to search.</param>
    /// <param name="skipped">Receives the other files, as "not an image file (extension)"; null to drop them.</param>
    /// <returns>The full paths of the image files.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="dir"/> does not exist.</exception>
    public static List<string> ImageFiles(string dir, ICollection<SkippedInput>? skipped = null)
    {
        var images = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.GetFullPath(dir), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            if (IsImageFile(file)) images.Add(file);
            else skipped?.Add(new SkippedInput(file, "not an image file (extension)"));
        }
        return images;
    }

    /// <summary>
    /// The image files of each class folder under <paramref name="dir"/> (ImageNet style: <c>dir/cat/1.jpg</c>),
    /// labelled with the folder's name, class folders in ordinal order and files in ordinal path order.
    /// </summary>
    /// <param name="dir">The folder whose subfolders are the classes.</param>
    /// <param name="skipped">Receives files outside a class folder, non-image files and empty class folders; null to drop them.</param>
    /// <param name="ignore">Names of subfolders that are not classes (e.g. <c>valid</c>, <c>test</c>, <c>models</c>).</param>
    /// <returns>The labelled files.</returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="dir"/> does not exist.</exception>
    public static List<LabelledFile> ClassFolders(string dir, ICollection<SkippedInput>? skipped = null, IReadOnlyCollection<string>? ignore = null)
    {
        var root = Path.GetFullPath(dir);
        var items = new List<LabelledFile>();
        foreach (var file in Directory.EnumerateFiles(root).Order(StringComparer.Ordinal))
            skipped?.Add(new SkippedInput(file, "not inside a class folder"));
        foreach (var classDir in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(classDir);
            if (ignore is not null && ignore.Contains(name)) continue;
            var files = ImageFiles(classDir, skipped);
            if (files.Count == 0) skipped?.Add(new SkippedInput(classDir, "empty class folder (no image file)"));
            items.AddRange(files.Select(f => new LabelledFile(f, name)));
        }
        return items;
    }
}
