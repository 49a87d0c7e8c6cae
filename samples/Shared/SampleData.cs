/// <summary>Finds the Fashion-MNIST sample committed under <c>samples/data</c>, from wherever a sample runs.</summary>
internal static class SampleData
{
    /// <summary>Walks up from the program's folder to the first <c>samples/data/fashion-mnist-sample</c>.</summary>
    /// <param name="hint">What to do instead, appended to the error when the folder is not found.</param>
    /// <exception cref="DirectoryNotFoundException">No parent folder has the sample.</exception>
    public static string Find(string hint)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "data", "fashion-mnist-sample");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"samples/data/fashion-mnist-sample not found; {hint}");
    }
}
