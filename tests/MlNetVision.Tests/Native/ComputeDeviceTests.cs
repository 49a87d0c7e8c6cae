using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Tests.Training;
using MlNetVision.Training;
using TorchSharp;

namespace MlNetVision.Tests.Native;

/// <summary>CI and this machine have no GPU: cpu and auto run for real, cuda must fail at once with a clear message.</summary>
public sealed class ComputeDeviceTests : IDisposable
{
    private readonly FashionSample _sample = new();
    private readonly string _path;

    public ComputeDeviceTests() => _path = _sample.Subset(2, 1, ["bag", "sneaker"]);

    public void Dispose() => _sample.Dispose();

    [Fact]
    public void Should_ChooseTheCpuAndSayWhy_When_AutoFindsNoCuda()
    {
        Assert.False(ComputeDevice.IsCudaAvailable());
        var device = ComputeDevice.Resolve(ComputeDevice.Auto, out var description);
        Assert.Equal(DeviceType.CPU, device.type);
        Assert.Equal($"cpu (auto: CUDA is not available: the application references the CPU build of libtorch, not {NativeBackend.CudaBackendPackage})", description);
        Assert.Equal(NativeBackend.CpuBackendPackage, NativeBackend.Status!.Backend);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("auto")]
    [InlineData(null)]
    public void Should_TrainOnTheCpuAndLogIt_When_TheDeviceIsCpuOrAuto(string? spec)
    {
        using var data = FashionSample.Bunch(_path, size: 32, batchSize: 2);
        var log = new StringWriter();
        using var learner = VisionLearner.Create(data, Architectures.ResNet18MlNet, new LearnerOptions { Device = spec!, ProgressWriter = null, Log = log });
        learner.Fit(1);

        Assert.Equal(DeviceType.CPU, learner.Device.type);
        Assert.All(learner.Model.parameters(), p => Assert.Equal(DeviceType.CPU, p.device_type));
        Assert.Contains("MlNetVision: resnet18-mlnet computes on cpu", log.ToString());
        Assert.Equal(spec is "cpu", !log.ToString().Contains("(auto: CUDA is not available"));
        Assert.True(double.IsFinite(learner.Recorder.Epochs.Single().ValidLoss));
    }

    [Theory]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    [InlineData("CUDA:1")]
    public void Should_FailAtOnceNamingTheCudaPackage_When_CudaIsAskedForAndUnavailable(string spec)
    {
        using var data = FashionSample.Bunch(_path, size: 32, batchSize: 2);
        var error = Assert.Throws<DeviceUnavailableException>(() =>
            VisionLearner.Create(data, Architectures.ResNet18MlNet, new LearnerOptions { Device = spec, ProgressWriter = null, Log = null }));
        Assert.Equal(
            $"Device '{spec}' was asked for, but CUDA is not available: this application uses libtorch's CPU build. Reference " +
            "<PackageReference Include=\"libtorch-cuda-12.8-linux-x64\" Version=\"2.10.0\" /> instead of libtorch-cpu-linux-x64 and have an NVIDIA " +
            "driver for CUDA 12.8, or use Device = \"cpu\" or \"auto\" (CLI: --device cpu|auto).", error.Message);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cpu:0")]
    public void Should_RejectTheText_When_ItIsNotADevice(string spec)
    {
        Assert.Equal($"Unknown device '{spec}'. Use cpu, cuda, cuda:N or auto.", ComputeDevice.Validate(spec));
        Assert.Throws<ArgumentException>(() => ComputeDevice.Resolve(spec, out _));
    }

    [Fact]
    public void Should_AcceptEveryForm_When_TheTextIsADevice()
    {
        Assert.All(["cpu", "cuda", "cuda:3", "auto", " Auto ", "", null], s => Assert.Null(ComputeDevice.Validate(s)));
    }
}
