using Microsoft.ML;
using MlNetVision.Tests.Models;
using MlNetVision.Training;

namespace MlNetVision.Tests.Cli;

/// <summary><c>train --arch resnet50 --weights FILE</c> with a torchvision state dict made by PyTorch 1.13 in test setup, and the device and weights errors.</summary>
[Collection(CliProcessCollection.Name)]
public sealed class CliWeightsTests(TorchvisionFixture torchvision) : IClassFixture<TorchvisionFixture>
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);

    public sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";
    }

    public sealed class ScoredRow
    {
        public float[] Score { get; set; } = [];
    }

    [Fact]
    public async Task Should_TrainFromTheWeightsExportAndServeWithStockMlNet_When_Resnet50WeightsAreGiven()
    {
        using var temp = new TempFolder("weights");
        var root = temp.Path;
        CliSample.CopyClasses(Path.Combine(root, "train"), "train", ["bag", "trouser"], 6);
        CliSample.CopyClasses(Path.Combine(root, "valid"), "valid", ["bag", "trouser"], 2);

        var r = await CliProcess.RunAsync(root, Limit, "train", root, "--arch", "resnet50", "--weights", torchvision.StateDict("resnet50"),
            "--size", "32", "--bs", "4", "--epochs", "1", "--unfreeze-epochs", "0", "--device", "auto", "--out", "out");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("MlNetVision: resnet50 computes on cpu (auto: CUDA is not available", r.StdErr);
        Assert.DoesNotContain("FROM SCRATCH", r.StdErr);
        Assert.Single(CliSample.EpochRows(r.StdOut));
        var info = Checkpoint.ReadInfo(Path.Combine(root, "out", "model.ckpt"));
        Assert.Equal("resnet50", info.Architecture);
        Assert.StartsWith(torchvision.StateDict("resnet50") + " (PyTorch .pth, sha256 ", info.Weights);

        // The ML.NET model the tool wrote loads and scores with ML.NET alone.
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(Path.Combine(root, "out", "model.zip"), out _);
        using var modelOwner = (IDisposable)model; // deletes ML.NET's temporary ONNX copy
        var image = Directory.GetFiles(Path.Combine(root, "valid", "bag")).Order(StringComparer.Ordinal).First();
        var scored = ml.Data.CreateEnumerable<ScoredRow>(model.Transform(ml.Data.LoadFromEnumerable([new ImageRow { ImagePath = image }])), reuseRowObject: false).Single();
        Assert.Equal(2, scored.Score.Length);
        Assert.Equal(1f, scored.Score.Sum(), 3);
    }

    [Fact]
    public async Task Should_FailBeforeTrainingNamingTheTensor_When_TheWeightsAreForAnotherArchitecture()
    {
        using var temp = new TempFolder("wrongweights");
        var root = temp.Path;
        CliSample.CopyClasses(root, "train", ["bag", "trouser"], 4);
        var r = await CliProcess.RunAsync(root, Limit, "train", root, "--arch", "resnet50", "--weights", torchvision.StateDict("resnet34"), "--size", "32", "--bs", "4");
        Assert.True(r.ExitCode == 5, r.ToString());
        Assert.Contains("error: --weights: resnet34.pth: tensor 'layer1.0.conv1.weight' has shape [64, 64, 3, 3] but the model expects [64, 64, 1, 1]", r.StdErr);
        Assert.Empty(CliSample.EpochRows(r.StdOut));
    }

    [Theory]
    [InlineData("cuda", 2, "error: Device 'cuda' was asked for, but CUDA is not available: this application uses libtorch's CPU build. Reference <PackageReference Include=\"libtorch-cuda-12.8-linux-x64\"")]
    [InlineData("gpu", 2, "--device: Unknown device 'gpu'. Use cpu, cuda, cuda:N or auto.")]
    public async Task Should_ExitWithAClearMessage_When_TheDeviceCannotBeUsed(string device, int exitCode, string message)
    {
        using var temp = new TempFolder("device");
        var root = temp.Path;
        CliSample.CopyClasses(root, "train", ["bag", "trouser"], 4);
        var r = await CliProcess.RunAsync(root, Limit, "train", root, "--size", "32", "--bs", "4", "--device", device);
        Assert.True(r.ExitCode == exitCode, r.ToString());
        Assert.Contains(message, r.StdErr);
        Assert.Empty(CliSample.EpochRows(r.StdOut));
    }
}
