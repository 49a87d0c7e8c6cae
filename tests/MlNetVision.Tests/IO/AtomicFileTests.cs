using MlNetVision.IO;

namespace MlNetVision.Tests.IO;

/// <summary><see cref="AtomicFile"/>: what it writes, and that a failed write leaves the target as it was and no temporary file behind.</summary>
public sealed class AtomicFileTests
{
    [Fact]
    public void Should_WriteTheBytesAndCreateTheFolder_When_TheTargetIsNew()
    {
        using var dir = new TempFolder("atomic");
        var target = dir.File("a", "b", "data.bin");
        var written = AtomicFile.WriteAllBytes(target, [1, 2, 3, 250]);
        Assert.Equal(Path.GetFullPath(target), written);
        Assert.Equal([1, 2, 3, 250], File.ReadAllBytes(target));
        Assert.Equal(["data.bin"], Directory.GetFiles(dir.File("a", "b")).Select(Path.GetFileName));
    }

    [Fact]
    public void Should_ReplaceTheContent_When_TheTargetExists()
    {
        using var dir = new TempFolder("atomic");
        var target = dir.File("note.txt");
        AtomicFile.WriteAllText(target, "first, longer text");
        AtomicFile.WriteAllText(target, "sécond");
        Assert.Equal("sécond", File.ReadAllText(target));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Should_KeepTheOldContentAndNoTempFile_When_TheWriterThrows()
    {
        using var dir = new TempFolder("atomic");
        var target = dir.File("model.bin");
        AtomicFile.WriteAllBytes(target, [9, 9, 9]);
        var error = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, stream =>
        {
            stream.Write([1, 2, 3, 4, 5]);
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal("disk full", error.Message);
        Assert.Equal([9, 9, 9], File.ReadAllBytes(target));
        Assert.Equal(["model.bin"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }
}
