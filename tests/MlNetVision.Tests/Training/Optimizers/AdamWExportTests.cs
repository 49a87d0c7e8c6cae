using MlNetVision.Native;
using MlNetVision.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using AdamW = MlNetVision.Training.Optimizers.AdamW;

namespace MlNetVision.Tests.Training.Optimizers;

/// <summary>AdamW.Export.cs: the state a checkpoint stores, taken out and put back.</summary>
public class AdamWExportTests
{
    public AdamWExportTests() => NativeBackend.EnsureLoaded();

    private static void Step(AdamW optimizer, Linear layer, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        optimizer.ZeroGrad();
        nn.functional.mse_loss(layer.forward(x), y).backward();
        optimizer.Step();
    }

    private static byte[] Bytes(Tensor t) => t.detach().contiguous().bytes.ToArray();

    [Fact]
    public void Should_ContinueExactlyAsTheOriginal_When_TheExportedStateIsImportedIntoAnotherOptimiser()
    {
        torch.manual_seed(3);
        var layer = nn.Linear(5, 3);
        var twin = nn.Linear(5, 3);
        twin.load_state_dict(layer.state_dict());
        using var x = randn(8, 5);
        using var y = randn(8, 3);
        using var original = new AdamW([[layer.weight!], [layer.bias!]]);
        original.SetLearningRates([0.01, 0.02]);
        using var copy = new AdamW([[twin.weight!], [twin.bias!]]);
        copy.SetLearningRates([0.01, 0.02]);
        for (int i = 0; i < 3; i++) { Step(original, layer, x, y); Step(copy, twin, x, y); }

        // Scramble the copy's state, then give it the original's: from here both must step identically.
        copy.ResetState();
        var exported = original.ExportState();
        Assert.Equal([(0, 0, 3L), (1, 0, 3L)], exported.Select(s => (s.Group, s.Index, s.Step)));
        copy.ImportState(exported);
        Assert.NotSame(exported[0].ExpAvg, copy.ExportState()[0].ExpAvg); // copied, not shared
        for (int i = 0; i < 2; i++) { Step(original, layer, x, y); Step(copy, twin, x, y); }
        Assert.Equal(Bytes(layer.weight!), Bytes(twin.weight!));
        Assert.Equal(Bytes(layer.bias!), Bytes(twin.bias!));
    }

    [Fact]
    public void Should_RefuseState_When_ItNamesAMissingParameterOrHasAnotherShape()
    {
        var layer = nn.Linear(5, 3);
        using var optimizer = new AdamW([[layer.weight!, layer.bias!]]);
        using var wrong = zeros(4, 5);
        var shape = Assert.Throws<InvalidDataException>(() => optimizer.ImportState([new AdamW.ParameterState(0, 0, 1, wrong, wrong)]));
        Assert.Contains("has shape [4, 5]; the parameter has [3, 5]", shape.Message);
        using var bias = zeros(3);
        var missing = Assert.Throws<InvalidDataException>(() => optimizer.ImportState([new AdamW.ParameterState(1, 0, 1, bias, bias)]));
        Assert.Contains("group 1", missing.Message);
    }
}
