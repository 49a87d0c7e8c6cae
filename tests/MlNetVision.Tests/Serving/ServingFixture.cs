using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.MlNet;
using MlNetVision.Native;
using MlNetVision.Tests.MlNet;
using SkiaSharp;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using WebApi;

namespace MlNetVision.Tests.Serving;

/// <summary>
/// Trains a small model (3 Fashion-MNIST classes, 32 px, one epoch) with the ML.NET estimator, saves it as model.zip,
/// starts the Web API sample in-process with Kestrel on 127.0.0.1 (port 0) over it, and scores every test image once
/// with a single-threaded stock <see cref="PredictionEngine{TSrc, TDst}"/> reading the image <em>file</em> — the answer
/// every served prediction must equal.
/// </summary>
public sealed class ServingFixture : IAsyncLifetime
{
    /// <summary>The classes trained.</summary>
    public static readonly string[] Classes = ["bag", "sandal", "trouser"];

    /// <summary>The largest upload the test server accepts.</summary>
    public const long MaxUploadBytes = 256 * 1024;

    /// <summary>The test server's pixel limit.</summary>
    public const long MaxImagePixels = 1024 * 1024;

    /// <summary>The test server's whole-upload deadline.</summary>
    public static readonly TimeSpan UploadTimeout = TimeSpan.FromSeconds(4);

    private readonly string _root = Directory.CreateTempSubdirectory("mlnv-serving-").FullName;
    private WebApplication? _app;

    /// <summary>The saved model.</summary>
    public string ModelPath => Path.Combine(_root, "model.zip");

    /// <summary>The server's address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Valid test images: file name, bytes, content type, and the reference Score of the stock engine on the file.</summary>
    public IReadOnlyList<ValidImage> Images { get; private set; } = [];

    /// <summary>The running app's services.</summary>
    public IServiceProvider Services => _app!.Services;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        NativeBackend.EnsureLoaded();
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(SampleData.Rows("train", Classes, 16));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.VisionClassifier(frozenEpochs: 1, unfrozenEpochs: 0, imageSize: 32, batchSize: 16, seed: 1))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        using var model = pipeline.Fit(train);
        ml.Model.Save(model, train.Schema, ModelPath);

        var files = SampleData.Rows("valid", Classes, 4).Select(r => r.ImagePath).Concat(WriteColourImages()).ToList();
        var loaded = new MLContext().Model.Load(ModelPath, out _);
        using var loadedOwner = (IDisposable)loaded; // deletes ML.NET's temporary ONNX copy
        using var reference = new MLContext().Model.CreatePredictionEngine<PathRow, ScoreOnly>(loaded);
        Images = files.Select(f => new ValidImage(Path.GetFileName(f), File.ReadAllBytes(f), ContentTypeOf(f),
            reference.Predict(new PathRow { ImagePath = f }).Score)).ToList();

        _app = ServingApp.Create(["--urls", "http://127.0.0.1:0"], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Serving:ModelPath"] = ModelPath,
            ["Serving:MaxUploadBytes"] = MaxUploadBytes.ToString(),
            ["Serving:MaxImagePixels"] = MaxImagePixels.ToString(),
            ["Serving:TopK"] = Classes.Length.ToString(),
            ["Serving:MinUploadBytesPerSecond"] = "100",
            ["Serving:UploadGracePeriod"] = "00:00:02",
            ["Serving:UploadTimeout"] = UploadTimeout.ToString(),
        }));
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.Single());
    }

    /// <summary>A client for the test server (no proxy).</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Colour images of other kinds than the sample's grey PNGs: a non-square JPEG, a PNG with transparency, a WebP.</summary>
    private IEnumerable<string> WriteColourImages()
    {
        var source = SampleData.Rows("valid", ["bag"], 1)[0].ImagePath;
        using var grey = SKBitmap.Decode(source);
        using var bitmap = new SKBitmap(new SKImageInfo(45, 30, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(30, 90, 160, 200));
            canvas.DrawBitmap(grey, new SKRect(8, 1, 36, 29));
            using var paint = new SKPaint { Color = new SKColor(220, 40, 40, 128) };
            canvas.DrawRect(new SKRect(0, 20, 12, 30), paint);
        }
        foreach (var (format, ext) in new[] { (SKEncodedImageFormat.Jpeg, ".jpg"), (SKEncodedImageFormat.Png, ".png"), (SKEncodedImageFormat.Webp, ".webp") })
        {
            var path = Path.Combine(_root, "colour" + ext);
            using var data = bitmap.Encode(format, 90);
            File.WriteAllBytes(path, data.ToArray());
            yield return path;
        }
    }

    private static string ContentTypeOf(string path) => Path.GetExtension(path) switch
    {
        ".jpg" => "image/jpeg",
        ".webp" => "image/webp",
        _ => "image/png",
    };

    /// <summary>A valid upload and the stock engine's answer for its file.</summary>
    public sealed record ValidImage(string Name, byte[] Bytes, string ContentType, float[] ReferenceScore);

    /// <summary>The stock input: a path (and the label the saved chain's first step maps; empty at prediction).</summary>
    public sealed class PathRow
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    /// <summary>The stock output read here.</summary>
    public sealed class ScoreOnly
    {
        public float[] Score { get; set; } = [];
    }
}
