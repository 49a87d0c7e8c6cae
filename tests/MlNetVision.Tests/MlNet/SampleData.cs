namespace MlNetVision.Tests.MlNet;

/// <summary>The committed Fashion-MNIST sample (samples/data/fashion-mnist-sample), as ML.NET rows.</summary>
internal static class SampleData
{
    /// <summary>The repository root: the first folder above the test binaries that holds MlNetVision.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MlNetVision.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("MlNetVision.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The sample's root folder.</summary>
    public static string Root => Path.Combine(RepositoryRoot(), "samples", "data", "fashion-mnist-sample");

    /// <summary>The first <paramref name="perClass"/> images (sorted by name) of each class in <paramref name="split"/>.</summary>
    public static List<ImageRow> Rows(string split, IEnumerable<string> classes, int perClass) =>
        classes.SelectMany(c => Directory.GetFiles(Path.Combine(Root, split, c), "*.png").Order(StringComparer.Ordinal).Take(perClass)
            .Select(f => new ImageRow { ImagePath = f, Label = c })).ToList();

    /// <summary>An image path and its label, the shape of input ML.NET users have.</summary>
    public sealed class ImageRow
    {
        /// <summary>Full path of the image file.</summary>
        public string ImagePath { get; set; } = "";

        /// <summary>The class name.</summary>
        public string Label { get; set; } = "";
    }
}
