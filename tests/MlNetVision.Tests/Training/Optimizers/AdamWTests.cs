using MlNetVision.Native;
using MlNetVision.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static MlNetVision.Tests.TestTensors;
using AdamW = MlNetVision.Training.Optimizers.AdamW;

namespace MlNetVision.Tests.Training.Optimizers;

public class AdamWTests
{
    public AdamWTests() => NativeBackend.EnsureLoaded();

    private static (Linear Ours, Linear Reference) TwinLayers()
    {
        torch.manual_seed(1);
        var a = nn.Linear(6, 4);
        var b = nn.Linear(6, 4);
        b.load_state_dict(a.state_dict());
        return (a, b);
    }

    private static void Backward(Linear layer, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        nn.functional.mse_loss(layer.forward(x), y).backward();
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-2)]
    public void Should_MatchTorchAdamW_When_SteppingTheSameGradients(double wd)
    {
        var (ours, reference) = TwinLayers();
        var optimizer = new AdamW([ours.parameters().ToArray()], new AdamWOptions { WeightDecay = wd });
        optimizer.SetLearningRates([0.01]);
        // torch.optim.AdamW applies p *= 1 - lr*wd, then Adam: the same update as fastai v1's true_wd.
        var torchAdam = torch.optim.AdamW(reference.parameters(), lr: 0.01, beta1: 0.9, beta2: 0.99, eps: 1e-8, weight_decay: wd);
        torch.manual_seed(2);
        for (int step = 0; step < 6; step++)
        {
            using var scope = NewDisposeScope();
            var x = randn(8, 6);
            var y = randn(8, 4);
            optimizer.ZeroGrad();
            Backward(ours, x, y);
            optimizer.Step();
            torchAdam.zero_grad();
            Backward(reference, x, y);
            torchAdam.step();
        }
        Assert.True(ours.weight.allclose(reference.weight, rtol: 1e-5, atol: 1e-7));
        Assert.True(ours.bias!.allclose(reference.bias!, rtol: 1e-5, atol: 1e-7));
        Assert.False(ours.weight.allclose(TwinLayers().Ours.weight));
    }

    [Fact]
    public void Should_LeaveFrozenParametersUntouched_When_Stepping()
    {
        var (layer, _) = TwinLayers();
        layer.weight.requires_grad = false;
        var before = layer.weight.detach().clone();
        var biasBefore = layer.bias!.detach().clone();
        var optimizer = new AdamW([layer.parameters().ToArray()], new AdamWOptions { WeightDecay = 0.1 });
        optimizer.SetLearningRates([0.1]);
        Backward(layer, randn(8, 6), randn(8, 4));
        Assert.Null(layer.weight.grad);
        optimizer.Step();
        Assert.True(layer.weight.allclose(before, 0, 0));
        Assert.False(layer.bias!.allclose(biasBefore, 0, 0));
    }

    [Fact]
    public void Should_KeepTrainableGradientsAndAccumulateIntoThem_When_ZeroingGradients()
    {
        var (layer, _) = TwinLayers();
        layer.weight.requires_grad = false;
        var optimizer = new AdamW([layer.parameters().ToArray()]);
        var x = randn(8, 6);
        var y = randn(8, 4);
        optimizer.ZeroGrad(); // before any backward: the trainable bias gets a zero gradient, the frozen weight none
        Assert.Null(layer.weight.grad);
        Assert.Equal(0f, layer.bias!.grad!.abs().max().ToSingle());
        Backward(layer, x, y);
        var first = layer.bias!.grad!.clone();
        Assert.True(first.abs().max().ToSingle() > 0);

        optimizer.ZeroGrad();
        Assert.Equal(0f, layer.bias!.grad!.abs().max().ToSingle());
        Backward(layer, x, y);
        Assert.True(Same(layer.bias!.grad!, first), "the second backward should write the same gradient into the zeroed one");
        Backward(layer, x, y);
        Assert.True(Same(layer.bias!.grad!, first * 2), "without ZeroGrad the next backward adds to it");

        optimizer.ReleaseGradients();
        Assert.Null(layer.bias!.grad);
    }

    [Fact]
    public void Should_DropMomentsTheSnapshotLacks_When_RestoringASnapshot()
    {
        var (layer, _) = TwinLayers();
        var optimizer = new AdamW([layer.parameters().ToArray()]);
        optimizer.SetLearningRates([0.01]);
        var x = randn(8, 6);
        var y = randn(8, 4);
        using var empty = optimizer.Snapshot();
        optimizer.ZeroGrad();
        Backward(layer, x, y);
        optimizer.Step();
        var afterOne = optimizer.ExportState().Select(s => (s.Step, s.ExpAvg.clone(), s.ExpAvgSq.clone())).ToArray();
        using var one = optimizer.Snapshot();
        optimizer.ZeroGrad();
        Backward(layer, x, y);
        optimizer.Step();

        optimizer.Restore(one);
        var restored = optimizer.ExportState();
        Assert.Equal(2, restored.Count);
        for (int i = 0; i < restored.Count; i++)
        {
            Assert.Equal(1, restored[i].Step);
            Assert.True(Same(restored[i].ExpAvg, afterOne[i].Item2));
            Assert.True(Same(restored[i].ExpAvgSq, afterOne[i].Item3));
        }
        optimizer.Restore(empty);
        Assert.Empty(optimizer.ExportState());
    }

    [Fact]
    public void Should_RestoreTheMovingAverages_When_RestoringASnapshot()
    {
        var (layer, _) = TwinLayers();
        var optimizer = new AdamW([layer.parameters().ToArray()]);
        optimizer.SetLearningRates([0.01]);
        var x = randn(8, 6);
        var y = randn(8, 4);
        Backward(layer, x, y);
        optimizer.Step();
        var weights = layer.weight.detach().clone();
        var bias = layer.bias!.detach().clone();
        using var snapshot = optimizer.Snapshot();
        optimizer.ZeroGrad();
        Backward(layer, x, y);
        optimizer.Step();
        var afterFirst = layer.weight.detach().clone();

        using (no_grad()) { layer.weight.copy_(weights); layer.bias!.copy_(bias); }
        optimizer.Restore(snapshot);
        optimizer.ZeroGrad();
        Backward(layer, x, y);
        optimizer.Step();
        Assert.Equal(0f, (layer.weight - afterFirst).abs().max().item<float>());
    }

    [Fact]
    public void Should_UseFastAiV1Defaults_When_AdamWOptionsAreNew()
    {
        var o = new AdamWOptions();
        Assert.Equal(0.9, o.Beta1);
        Assert.Equal(0.99, o.Beta2);
        Assert.Equal(1e-8, o.Eps);
        Assert.Equal(1e-2, o.WeightDecay);
    }
}
