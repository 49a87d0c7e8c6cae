using MlNetVision.Native;
using MlNetVision.Training;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Training;

public class OutOfMemoryTests
{
    public OutOfMemoryTests() => NativeBackend.EnsureLoaded();

    [Fact]
    public void Should_RecogniseLibTorchsAllocationFailure_When_ATensorDoesNotFit()
    {
        // 2^40 floats = 4 TiB: libtorch's CPU allocator refuses it on this machine.
        var ex = Record.Exception(() => { using var t = empty(1L << 40, dtype: ScalarType.Float32); });
        Assert.NotNull(ex);
        Assert.True(Learner.IsOutOfMemory(ex), ex.GetType() + ": " + ex.Message);
        Assert.False(Learner.IsOutOfMemory(new InvalidOperationException("shapes do not match")));
    }
}
