using MlNetVision.Native;
using MlNetVision.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;
using static MlNetVision.Tests.TestTensors;

namespace MlNetVision.Tests.Training.Optimizers;

public class ContiguousTensorsTests
{
    public ContiguousTensorsTests() => NativeBackend.EnsureLoaded();

    [Fact]
    public void Should_CopyEveryValueShapeAndLayout_When_CopyingTensors()
    {
        torch.manual_seed(3);
        var nchw = randn(4, 3, 5, 5);
        var channelsLast = randn(2, 3, 4, 4).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        var strided = randn(6, 8)[.., ..4]; // not dense: copied into a contiguous view
        var counts = arange(5, dtype: ScalarType.Int64);
        Tensor[] sources = [nchw, channelsLast, strided, counts];

        var copies = ContiguousTensors.Copies(sources);

        for (int i = 0; i < sources.Length; i++)
        {
            Assert.Equal(sources[i].shape, copies[i].shape);
            Assert.Equal(sources[i].dtype, copies[i].dtype);
            Assert.True(Same(copies[i], sources[i]), $"copy {i} differs from its source");
        }
        Assert.Equal(channelsLast.stride(), copies[1].stride());
        Assert.Equal([4L, 1L], copies[2].stride());
        Assert.False(ContiguousTensors.IsDense(strided));
        // Copies, not aliases: changing a source leaves its copy as it was.
        nchw.add_(1);
        Assert.False(Same(copies[0], nchw));
    }

    [Fact]
    public void Should_MakeOneBlockAndReturnItWithTheLastView_When_MakingAModelsWorthOfZeros()
    {
        // 80 tensors of 128k floats: 40 MiB, above glibc's largest mmap threshold (32 MiB), so glibc maps the block.
        var templates = Enumerable.Range(0, 80).Select(_ => empty(128, 1024)).ToArray();
        const long blockBytes = 80L * 128 * 1024 * 4;
        // Tensors earlier tests left to the finalizer would otherwise unmap their blocks during the measurement.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GlibcHeap.Trim();
        if (GlibcHeap.Statistics() is not { } before) return; // not glibc: nothing to measure
        var zeros = ContiguousTensors.ZerosLike(templates);
        var during = GlibcHeap.Statistics()!.Value;
        // One block: each view starts where the previous one ends.
        Assert.Equal(Enumerable.Range(0, 80).Select(i => i * 128L * 1024), zeros.Select(z => z.storage_offset()));
        Assert.All(zeros, z => Assert.Equal(0f, z.abs().max().ToSingle()));
        // glibc maps a block this size unless a free chunk of its heap can already hold it.
        if ((long)during.HBlkHd - (long)before.HBlkHd < blockBytes) return;

        foreach (var z in zeros.Take(79)) z.Dispose();
        var oneLeft = GlibcHeap.Statistics()!.Value;
        Assert.True((long)during.HBlkHd - (long)oneLeft.HBlkHd < blockBytes, "one view still holds the block");
        zeros[79].Dispose();
        var none = GlibcHeap.Statistics()!.Value;
        Assert.True((long)oneLeft.HBlkHd - (long)none.HBlkHd >= blockBytes, "the last view's release should unmap the block");
    }
}
