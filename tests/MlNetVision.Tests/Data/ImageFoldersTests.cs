using MlNetVision.Data;
using SkiaSharp;

namespace MlNetVision.Tests.Data;

public sealed class ImageFoldersTests
{
    [Fact]
    public void Should_LabelFilesByClassFolderAndReportTheRest_When_ListingClassFolders()
    {
        using var dir = new TempFolder("lister");
        ImageFiles.Solid(dir.File("b", "2.png"), SKColors.Red);
        ImageFiles.Solid(dir.File("b", "deep", "1.JPG"), SKColors.Red, format: SKEncodedImageFormat.Jpeg);
        ImageFiles.Solid(dir.File("a", "9.webp"), SKColors.Blue, format: SKEncodedImageFormat.Webp);
        ImageFiles.Solid(dir.File("models", "x.png"), SKColors.Blue);
        File.WriteAllText(dir.File("a", "notes.txt"), "not an image");
        File.WriteAllText(dir.File("stray.png"), "outside any class folder");
        Directory.CreateDirectory(dir.File("empty"));
        var skipped = new List<SkippedInput>();

        var files = ImageFolders.ClassFolders(dir, skipped, ignore: ["models"]);

        Assert.Equal([("a", "9.webp"), ("b", "2.png"), ("b", "1.JPG")], files.Select(f => (f.Label, Path.GetFileName(f.Path))));
        Assert.All(files, f => Assert.True(Path.IsPathFullyQualified(f.Path) && File.Exists(f.Path), f.Path));
        Assert.Equal(
            [("stray.png", "not inside a class folder"), ("notes.txt", "not an image file (extension)"), ("empty", "empty class folder (no image file)")],
            skipped.Select(s => (Path.GetFileName(s.Source), s.Reason)));
        Assert.Equal(files, ImageFolders.ClassFolders(dir, ignore: ["models"]));
    }

    [Fact]
    public void Should_ListTheSameFilesTheBunchTrainsOn_When_GivenTheSameFolder()
    {
        using var dir = new TempFolder("lister-bunch");
        foreach (var (c, k) in new[] { ("x", 0), ("y", 1) })
            for (var i = 0; i < 4; i++) ImageFiles.Solid(dir.File(c, $"{i}.png"), ImageFiles.ClassColor(k));
        MlNetVision.Native.NativeBackend.EnsureLoaded();

        using var bunch = ImageDataBunch.FromFolder(dir, new ImageDataBunchOptions { Size = 32, BatchSize = 2, Log = TextWriter.Null, ValidPct = 0.25 });

        var listed = ImageFolders.ClassFolders(dir).Select(f => (f.Path, f.Label)).Order().ToList();
        var served = bunch.Train.Items.Concat(bunch.Valid.Items).Select(i => (i.Path, bunch.Classes[i.Label])).Order().ToList();
        Assert.Equal(listed, served);
    }
}
