using MlNetVision.Data;
using Microsoft.ML;
using SkiaSharp;
using TorchSharp;

namespace MlNetVision.Tests.Data;

public sealed class SourcesTests : DataTestsBase
{
    [Fact]
    public void Should_TakeTheLabelFromTheNameGroup_When_BuildingFromNameRe()
    {
        var root = Track(ImageFiles.NewFolder("re"));
        var files = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            files.Add(ImageFiles.Solid(Path.Combine(root, "images", $"great_pyrenees_{i + 1}.jpg"), ImageFiles.ClassColor(0), format: SKEncodedImageFormat.Jpeg));
            files.Add(ImageFiles.Solid(Path.Combine(root, "images", $"Bengal_{i + 1}.jpg"), ImageFiles.ClassColor(1), format: SKEncodedImageFormat.Jpeg));
        }
        files.Add(ImageFiles.Solid(Path.Combine(root, "images", "nolabel.jpg"), SKColors.Gray, format: SKEncodedImageFormat.Jpeg));

        using var bunch = ImageDataBunch.FromNameRe(root, files, @"/([^/]+)_\d+.jpg$", Small());

        Assert.Equal(["Bengal", "great_pyrenees"], bunch.Classes);
        Assert.Equal(10, bunch.Train.Count + bunch.Valid.Count);
        Assert.Equal(2, bunch.Valid.Count);
        Assert.Contains(bunch.Skipped, s => s.Source.EndsWith("nolabel.jpg", StringComparison.Ordinal));
        Assert.All(bunch.Train.Items, it => Assert.Contains(bunch.Classes[it.Label] + "_", it.Path));
    }

    [Fact]
    public void Should_SkipMissingAndEscapingRows_When_BuildingFromCsv()
    {
        var root = Track(ImageFiles.NewFolder("csv"));
        var lines = new List<string> { "name,label" };
        for (var i = 0; i < 5; i++)
        {
            ImageFiles.Solid(Path.Combine(root, "imgs", $"r{i}.png"), ImageFiles.ClassColor(0));
            ImageFiles.Solid(Path.Combine(root, "imgs", $"g{i}.png"), ImageFiles.ClassColor(1));
            lines.Add($"r{i},red");
            lines.Add($"\"g{i}\",\"gr,een\"");
        }
        ImageFiles.Solid(Path.Combine(root, "outside.png"), SKColors.Gray);
        lines.Add("missing,red");
        lines.Add("../outside,red");
        lines.Add("r0,");
        File.WriteAllLines(Path.Combine(root, "labels.csv"), lines);

        using var bunch = ImageDataBunch.FromCsv(root, "labels.csv", folder: "imgs", suffix: ".png", options: Small());

        Assert.Equal(["gr,een", "red"], bunch.Classes);
        Assert.Equal(10, bunch.Train.Count + bunch.Valid.Count);
        Assert.Equal(3, bunch.Skipped.Count);
        Assert.Contains(bunch.Skipped, s => s.Reason == "file not found" && s.Source.Contains("missing.png"));
        Assert.Contains(bunch.Skipped, s => s.Reason.Contains("escapes") && s.Source.Contains("../outside.png"));
        Assert.Contains(bunch.Skipped, s => s.Reason.Contains("missing file name or label"));
    }

    [Fact]
    public void Should_PairFilesWithLabels_When_BuildingFromLists()
    {
        var root = Track(ImageFiles.ClassFolders(["x", "y"], 5));
        var files = Directory.GetFiles(root, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var labels = files.Select(f => Path.GetFileName(Path.GetDirectoryName(f))!.ToUpperInvariant()).ToArray();
        var options = Small();
        options.ValidPct = 0.3;

        using var bunch = ImageDataBunch.FromLists(root, files, labels, options);

        Assert.Equal(["X", "Y"], bunch.Classes);
        Assert.Equal(3, bunch.Valid.Count);
        Assert.All(bunch.Valid.Items.Concat(bunch.Train.Items), it =>
            Assert.Equal(bunch.Classes[it.Label], Path.GetFileName(Path.GetDirectoryName(it.Path))!.ToUpperInvariant()));
        Assert.Throws<ArgumentException>(() => ImageDataBunch.FromLists(root, files, labels.Skip(1), options));
    }

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
        public string Label { get; set; } = "";
    }

    private sealed class BytesRow
    {
        public byte[] Image { get; set; } = [];
        public string Label { get; set; } = "";
    }

    [Fact]
    public void Should_ReadPathsOrBytes_When_BuildingFromADataView()
    {
        var root = Track(ImageFiles.ClassFolders(["p", "q"], 4));
        var files = Directory.GetFiles(root, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var ml = new MLContext(seed: 1);
        var pathRows = files.Select(f => new PathRow { ImagePath = Path.GetRelativePath(root, f), Label = Path.GetFileName(Path.GetDirectoryName(f))! }).ToList();
        var byteRows = files.Select(f => new BytesRow { Image = File.ReadAllBytes(f), Label = Path.GetFileName(Path.GetDirectoryName(f))! }).ToList();
        byteRows.Add(new BytesRow { Image = [1, 2, 3], Label = "p" });

        using var byPath = ImageDataBunch.FromDataView(ml.Data.LoadFromEnumerable(pathRows), path: root, options: Small());
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(byteRows)).Transform(ml.Data.LoadFromEnumerable(byteRows));
        using var byBytes = ImageDataBunch.FromDataView(keyed, "Image", "Label", root, Small());

        Assert.Equal(["p", "q"], byPath.Classes);
        Assert.Equal(8, byPath.Train.Count + byPath.Valid.Count);
        Assert.Equal(["p", "q"], byBytes.Classes);
        Assert.Equal(8, byBytes.Train.Count + byBytes.Valid.Count);
        Assert.Single(byBytes.Skipped);
        Assert.StartsWith("dataview:row/", byBytes.Skipped[0].Source);
        using var first = byPath.Valid.LoadItem(0);
        var label = byPath.Classes[byPath.Valid.Items[0].Label];
        var color = ImageFiles.ClassColor(label == "p" ? 0 : 1);
        Assert.InRange(first[2].mean().ToSingle() * 255, color.Blue - 2, color.Blue + 2);
    }

    [Fact]
    public void Should_KeepTheTwoViewsAsTrainAndValid_When_BuildingFromTwoDataViews()
    {
        var root = Track(ImageFiles.TrainValidFolder(["p", "q"], 3, 2));
        var ml = new MLContext(seed: 1);
        IDataView View(string split) => ml.Data.LoadFromEnumerable(Directory.GetFiles(Path.Combine(root, split), "*.png", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).Select(f => new PathRow { ImagePath = f, Label = Path.GetFileName(Path.GetDirectoryName(f))! }).ToList());

        using var bunch = ImageDataBunch.FromDataViews(View("train"), View("valid"), path: root, options: Small());

        Assert.Equal(["p", "q"], bunch.Classes);
        Assert.Equal([3, 3], bunch.TrainCounts);
        Assert.Equal([2, 2], bunch.ValidCounts);
        Assert.All(bunch.Valid.Items, it => Assert.Contains($"{Path.DirectorySeparatorChar}valid{Path.DirectorySeparatorChar}", it.Path));
        Assert.All(bunch.Train.Items, it => Assert.Contains($"{Path.DirectorySeparatorChar}train{Path.DirectorySeparatorChar}", it.Path));
    }

    [Fact]
    public void Should_UseTheGivenOrderAndSkipOtherLabels_When_ClassesAreGiven()
    {
        var root = Track(ImageFiles.TrainValidFolder(["a", "b", "c"], 3, 1));
        var options = Small();
        options.Classes = ["c", "a", "unseen"];

        using var bunch = ImageDataBunch.FromFolder(root, options);

        Assert.Equal(["c", "a", "unseen"], bunch.Classes);
        Assert.Equal([3, 3, 0], bunch.TrainCounts);
        Assert.Equal([1, 1, 0], bunch.ValidCounts);
        Assert.Equal(4, bunch.Skipped.Count(s => s.Reason == "class 'b' is not one of the given classes"));
        Assert.All(bunch.Train.Items, it => Assert.Contains($"{Path.DirectorySeparatorChar}{bunch.Classes[it.Label]}{Path.DirectorySeparatorChar}", it.Path));
        options.Classes = ["a", "a"];
        Assert.Throws<ArgumentException>(() => ImageDataBunch.FromFolder(root, options));
    }
}
