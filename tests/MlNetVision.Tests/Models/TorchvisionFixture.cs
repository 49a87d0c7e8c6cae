using System.Diagnostics;
using System.Globalization;
using MlNetVision.Data;
using MlNetVision.Native;
using SkiaSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Models;

/// <summary>
/// Made once per test class, in a temporary folder: torchvision state dicts written by Debian's PyTorch 1.13
/// (<c>python3-torch</c>, installed by <c>.ci/setup</c>) for resnet34 and resnet50 (random init, seed 0, BatchNorm
/// statistics and affine parameters randomised so they matter), a real 64 px image (the Fashion-MNIST grid, shrunk), and
/// PyTorch's own pooled body features of that image. Nothing is downloaded.
/// </summary>
public sealed class TorchvisionFixture : IDisposable
{
    public const int Size = 64;

    private const string Script = """
        import sys, torch, torchvision
        out, pixels, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
        x = torch.frombuffer(bytearray(open(pixels, "rb").read()), dtype=torch.float32).reshape(1, 3, size, size)
        mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
        std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
        for arch in sys.argv[4:]:
            torch.manual_seed(0)
            model = getattr(torchvision.models, arch)()
            with torch.no_grad():
                for m in model.modules():
                    if isinstance(m, torch.nn.BatchNorm2d):
                        m.running_mean.uniform_(-0.2, 0.2); m.running_var.uniform_(0.5, 1.5)
                        m.weight.uniform_(0.5, 1.5); m.bias.uniform_(-0.2, 0.2)
            model.eval()
            torch.save(model.state_dict(), f"{out}/{arch}.pth")
            body = torch.nn.Sequential(*list(model.children())[:-2])
            with torch.no_grad():
                features = body((x - mean) / std).mean((2, 3)).flatten()
            with open(f"{out}/{arch}-features.txt", "w") as f:
                f.write("\n".join(repr(v) for v in features.tolist()))
        print("torch", torch.__version__, "torchvision", torchvision.__version__)
        """;

    public TorchvisionFixture()
    {
        NativeBackend.EnsureLoaded();
        Folder = Directory.CreateTempSubdirectory("mlnv-torchvision-").FullName;
        ImagePath = Path.Combine(Folder, "fashion-grid-64.png");
        using (var grid = SKBitmap.Decode(TestImages.Path("fashion-mnist-grid-224.png")))
        using (var small = grid.Resize(new SKImageInfo(Size, Size), SKFilterQuality.High))
        using (var png = small.Encode(SKEncodedImageFormat.Png, 100))
            File.WriteAllBytes(ImagePath, png.ToArray());
        using (var scope = NewDisposeScope())
        {
            var pixels = ImageLoader.LoadForInference(ImagePath, Size).contiguous();
            Pixels = pixels.data<float>().ToArray();
        }
        var pixelFile = Path.Combine(Folder, "pixels.f32");
        File.WriteAllBytes(pixelFile, Pixels.SelectMany(BitConverter.GetBytes).ToArray());
        var scriptFile = Path.Combine(Folder, "make_state_dicts.py");
        File.WriteAllText(scriptFile, Script);
        Run(scriptFile, Folder, pixelFile, Size.ToString(CultureInfo.InvariantCulture), "resnet34", "resnet50");
    }

    /// <summary>The temporary folder holding everything.</summary>
    public string Folder { get; }

    /// <summary>The 64x64 PNG of real images both sides look at.</summary>
    public string ImagePath { get; }

    /// <summary>The image as the library loads it: RGB float [3, 64, 64] in 0..1, row-major.</summary>
    public float[] Pixels { get; }

    /// <summary>What PyTorch printed (its and torchvision's version).</summary>
    public string Versions { get; private set; } = "";

    /// <summary>The <c>.pth</c> torchvision's <c>torch.save(model.state_dict())</c> wrote for <paramref name="arch"/>.</summary>
    public string StateDict(string arch) => Path.Combine(Folder, arch + ".pth");

    /// <summary>PyTorch's average-pooled body features of the image for <paramref name="arch"/>.</summary>
    public float[] Features(string arch) =>
        File.ReadAllLines(Path.Combine(Folder, arch + "-features.txt")).Select(l => float.Parse(l, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The image as a batch of one, [1, 3, 64, 64].</summary>
    public Tensor Batch() => tensor(Pixels).reshape(1, 3, Size, Size);

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }

    private void Run(params string[] args)
    {
        var python = Environment.GetEnvironmentVariable("MLNETVISION_PYTHON") is { Length: > 0 } p ? p
            : File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var psi = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {python}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("PyTorch did not write the state dicts within 5 minutes.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{python} could not make the torchvision state dicts (exit {process.ExitCode}); .ci/setup installs python3-torch and python3-torchvision.\n{stderr.Result.Trim()}");
        Versions = stdout.Result.Trim();
    }
}
