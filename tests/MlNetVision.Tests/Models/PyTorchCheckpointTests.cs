using MlNetVision.Models;
using MlNetVision.Native;

namespace MlNetVision.Tests.Models;

public class PyTorchCheckpointTests
{
    public PyTorchCheckpointTests() => NativeBackend.EnsureLoaded();

    [Fact]
    public void Should_ReadEveryTensorWithItsLayout_When_ThePthWasWrittenByPyTorch()
    {
        var tensors = PyTorchCheckpoint.Read(TestImages.Path("state-dict-pytorch113.pth")).ToDictionary(t => t.Name);

        Assert.Equal([3L, 4L], tensors["a.weight"].Shape);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), tensors["a.weight"].Data);
        Assert.Equal([3L, 2L], tensors["b.transposed"].Shape);
        Assert.Equal([0f, 3f, 1f, 4f, 2f, 5f], tensors["b.transposed"].Data);
        Assert.Equal([0.5f, -1.25f, 2f], tensors["c.half"].Data);
        Assert.Equal([3f, 3f, 3f, 3f], tensors["d.param"].Data);
        Assert.Equal([4f, 5f, 6f], tensors["e.view"].Data);
        Assert.Empty(tensors["bn.num_batches_tracked"].Shape);
        Assert.Equal([7f], tensors["bn.num_batches_tracked"].Data);
    }

    [Fact]
    public void Should_RefuseWithoutRunningAnything_When_ThePickleCallsAForeignGlobal()
    {
        const string marker = "/tmp/mlnetvision-pwned";
        File.Delete(marker);
        var error = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Read(TestImages.Path("malicious-pytorch113.pth")));
        Assert.Contains("refusing to load 'posix.system'", error.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Should_SayItIsNotACheckpoint_When_TheFileIsNotAZip()
    {
        using var temp = new TempFolder("pth");
        var path = temp.File("model.pth");
        File.WriteAllBytes(path, [0x80, 0x02, 0x7d, 0x2e]);
        var error = Assert.Throws<InvalidDataException>(() => PyTorchCheckpoint.Read(path));
        Assert.Contains("not a zip-format PyTorch checkpoint", error.Message);
    }
}
