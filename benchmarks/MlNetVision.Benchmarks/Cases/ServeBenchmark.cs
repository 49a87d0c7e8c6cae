using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using MlNetVision.Benchmarks.Measurement;
using WebApi;

namespace MlNetVision.Benchmarks.Cases;

/// <summary>
/// Case: the Web API sample under load. Starts <c>samples/WebApi</c> as its own process on 127.0.0.1, runs N client
/// loops for T seconds (real Fashion-MNIST PNGs, raw and multipart, and a share of bad uploads), and prints
/// requests/s, latency percentiles, answers by status, mismatches against a single-threaded stock
/// <see cref="PredictionEngine{TSrc, TDst}"/> reading the files, and the server's resident memory over the run. Before
/// the server starts, the same images are scored offline (decode in memory + one <c>Transform</c>) on the same cores.
/// </summary>
internal static class ServeBenchmark
{
    private const string Help = """
        serve: the Web API sample under concurrent load on loopback.
          --clients N      concurrent client loops (default 8)
          --seconds T      load duration (default 60)
          --bad PERCENT    share of bad uploads, in percent (default 10)
          --images N       real images (Fashion-MNIST sample PNGs) cycled through (default 200)
          --offline-seconds T  offline batch scoring time (default 15)
          --concurrency N  the server's Serving:MaxConcurrentPredictions (default: its own default, the core count)
          --model PATH     model.zip to serve (default: the sample's model, trained once into the temp folder)
        """;

    /// <summary>The server's upload limit in this benchmark (small, so oversized uploads stay cheap to send).</summary>
    private const long MaxUploadBytes = 1024 * 1024;

    public static int Run(BenchmarkArguments args)
    {
        if (args.Help) { Console.WriteLine(Help); return 0; }
        int clients = args.GetInt("clients", 8), seconds = args.GetInt("seconds", 60), imageCount = args.GetInt("images", 200);
        double badShare = args.GetDouble("bad", 10) / 100, offlineSeconds = args.GetDouble("offline-seconds", 15);
        var concurrency = args.GetOptional("concurrency");
        var modelPath = args.GetOptional("model") ?? SampleModel.EnsureTrained(Path.Combine(Path.GetTempPath(), "mlnetvision-bench", "serve-model.zip"), Console.WriteLine);
        var files = SampleImages(imageCount);
        var images = files.Select(File.ReadAllBytes).ToArray();

        // The reference: ML.NET's own path-reading chain, one image at a time on one thread.
        var ml = new MLContext();
        var saved = ml.Model.Load(modelPath, out _);
        float[][] reference;
        using (var engine = ml.Model.CreatePredictionEngine<PathRow, ScoreOnly>(saved))
            reference = files.Select(f => engine.Predict(new PathRow { ImagePath = f }).Score).ToArray();

        Console.WriteLine($"Serving {modelPath}; {files.Count} Fashion-MNIST sample PNGs ({images.Average(b => b.Length):0} bytes on average).");
        var offline = OfflineRate(modelPath, images, offlineSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"offline batch scoring (decode in memory + one Transform, {offline.Images} images): {offline.Rate:0.0} images/s"));

        using var server = ServerProcess.Start(modelPath, MaxUploadBytes, concurrency);
        Console.WriteLine($"server pid {server.Pid} on {server.BaseAddress} ({concurrency ?? "default"} predictions at a time); {clients} clients for {seconds} s, {badShare:P0} bad uploads");
        var (serverCpu0, clientCpu0) = (server.CpuSeconds(), Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds);
        var load = Load(server, images, reference, clients, TimeSpan.FromSeconds(seconds), badShare);
        var (serverCpu, clientCpu) = (server.CpuSeconds() - serverCpu0, Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds - clientCpu0);
        var health = server.Health();

        var valid = load.Latencies.Where(l => l.Valid).Select(l => l.Ms).ToArray();
        var all = load.Latencies.Select(l => l.Ms).ToArray();
        var table = new ResultTable("requests", "requests/s", "valid answers/s", "offline images/s", "served / offline", "latency ms valid p50 / p95 / p99", "latency ms all p50 / p95 / p99", "load");
        string P(double[] v) => $"{ResultTable.Format(InferBenchmark.Percentile(v, 0.5))} / {ResultTable.Format(InferBenchmark.Percentile(v, 0.95))} / {ResultTable.Format(InferBenchmark.Percentile(v, 0.99))}";
        var validRate = valid.Length / load.Elapsed.TotalSeconds;
        table.Print(all.Length, all.Length / load.Elapsed.TotalSeconds, validRate, offline.Rate, ResultTable.Ratio(validRate, offline.Rate), P(valid), P(all), LoadAverage.Read().ToString());
        Console.WriteLine("answers by status: " + string.Join(", ", load.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        Console.WriteLine("bad uploads by kind (status): " + string.Join(", ", load.BadKinds.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        Console.WriteLine($"client-side errors (no HTTP answer): {(load.ClientErrors.IsEmpty ? "none" : string.Join(", ", load.ClientErrors.Select(e => $"{e.Key}: {e.Value}")))}");
        Console.WriteLine($"valid answers different from the single-threaded engine: {load.Mismatches} of {valid.Length}");
        Console.WriteLine($"responses >= 500: {load.Statuses.Where(s => s.Key >= 500).Sum(s => s.Value)}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"server RSS MiB: start {load.Rss[0]:0.0}, end {load.Rss[^1]:0.0}, max {load.Rss.Max():0.0}; per tenth of the run: {string.Join(" ", Tenths(load.Rss).Select(r => r.ToString("0", CultureInfo.InvariantCulture)))}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"CPU over the load: server {serverCpu:0.0} s, load generator (this process) {clientCpu:0.0} s, of {load.Elapsed.TotalSeconds * Environment.ProcessorCount:0.0} core-seconds"));
        Console.WriteLine($"server /health after the run: {health}");
        return load.Statuses.Any(s => s.Key >= 500) || load.Mismatches > 0 ? 1 : 0;
    }

    /// <summary>Offline: the served chain over a data view of in-memory images (decoded as the server does), repeated for about <paramref name="seconds"/>.</summary>
    private static (double Rate, int Images) OfflineRate(string modelPath, byte[][] images, double seconds)
    {
        using var model = ServedModel.Load(modelPath, 1);
        IEnumerable<MLImage> Decoded(int count) => Enumerable.Range(0, count).Select(i => UploadedImage.Decode(images[i % images.Length], ServingOptions.DefaultMaxImagePixels));
        model.ScoreBatch(Decoded(images.Length)); // warm-up
        int scored = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds) scored += model.ScoreBatch(Decoded(images.Length)).Count;
        return (scored / sw.Elapsed.TotalSeconds, scored);
    }

    private sealed record LoadResult(TimeSpan Elapsed, List<(bool Valid, double Ms)> Latencies, ConcurrentDictionary<int, int> Statuses,
        ConcurrentDictionary<string, int> BadKinds, ConcurrentDictionary<string, int> ClientErrors, int Mismatches, List<double> Rss);

    private static LoadResult Load(ServerProcess server, byte[][] images, float[][] reference, int clients, TimeSpan duration, double badShare)
    {
        var png = images[0];
        (string Kind, Func<HttpContent> Make)[] bad =
        [
            ("empty", () => Raw([], "image/png")),
            ("not-an-image", () => Raw("not an image"u8.ToArray(), "image/png")),
            ("truncated", () => Raw(png[..(png.Length / 2)], "image/png")),
            ("bomb", () => Raw(DeclaredSize(png, 50_000, 50_000), "image/png")),
            ("wrong-type", () => Raw(png, "text/plain")),
            ("oversized", () => Raw(new byte[MaxUploadBytes + 1], "image/png")),
        ];
        int badEvery = badShare <= 0 ? int.MaxValue : (int)Math.Round(1 / badShare);
        var statuses = new ConcurrentDictionary<int, int>();
        var badKinds = new ConcurrentDictionary<string, int>();
        var clientErrors = new ConcurrentDictionary<string, int>();
        var latencies = new ConcurrentBag<(bool, double)>();
        int next = -1, mismatches = 0;
        var rss = new List<double> { server.RssMiB() };
        var sw = Stopwatch.StartNew();
        var end = sw.Elapsed + duration;

        async Task Client()
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            while (sw.Elapsed < end)
            {
                var n = Interlocked.Increment(ref next);
                var isBad = n % badEvery == badEvery - 1;
                var kind = isBad ? bad[n / badEvery % bad.Length] : default;
                var i = n % images.Length;
                var content = isBad ? kind.Make() : n % 2 == 0 ? Raw(images[i], "image/png") : Multipart(images[i]);
                var t = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsync("/predict", content);
                    var body = await response.Content.ReadAsStringAsync();
                    latencies.Add((!isBad, Stopwatch.GetElapsedTime(t).TotalMilliseconds));
                    var status = (int)response.StatusCode;
                    statuses.AddOrUpdate(status, 1, (_, c) => c + 1);
                    if (isBad) badKinds.AddOrUpdate($"{kind.Kind} ({status})", 1, (_, c) => c + 1);
                    else if (status != 200 || !SameAsReference(body, reference[i])) Interlocked.Increment(ref mismatches);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    clientErrors.AddOrUpdate($"{(isBad ? kind.Kind : "valid")}: {e.GetType().Name}", 1, (_, c) => c + 1);
                }
            }
        }

        var tasks = Enumerable.Range(0, clients).Select(_ => Task.Run(Client)).ToArray();
        while (!Task.WaitAll(tasks, TimeSpan.FromSeconds(1))) rss.Add(server.RssMiB());
        var elapsed = sw.Elapsed;
        rss.Add(server.RssMiB());
        return new LoadResult(elapsed, latencies.ToList(), statuses, badKinds, clientErrors, mismatches, rss);
    }

    /// <summary>Whether an answer's class list carries exactly the reference's probabilities for its classes, and its class is the arg-max.</summary>
    private static bool SameAsReference(string body, float[] reference)
    {
        using var json = JsonDocument.Parse(body);
        var top = json.RootElement.GetProperty("top").EnumerateArray().Select(e => e.GetProperty("probability").GetSingle()).ToArray();
        var expected = reference.OrderByDescending(p => p).Take(top.Length).ToArray();
        return top.SequenceEqual(expected) && json.RootElement.GetProperty("probability").GetSingle() == reference.Max();
    }

    private static HttpContent Raw(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private static HttpContent Multipart(byte[] png) => new MultipartFormDataContent { { Raw(png, "image/png"), "image", "image.png" } };

    /// <summary>A PNG whose header declares another size (CRC fixed): an image bomb by its dimensions.</summary>
    private static byte[] DeclaredSize(byte[] png, int width, int height)
    {
        var copy = (byte[])png.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(16), width);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(20), height);
        var crc = 0xFFFFFFFFu;
        foreach (var b in copy.AsSpan(12, 17))
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(29), ~crc);
        return copy;
    }

    private static IEnumerable<double> Tenths(List<double> values) =>
        Enumerable.Range(0, 11).Select(k => values[Math.Min(values.Count - 1, k * (values.Count - 1) / 10)]);

    /// <summary>The committed sample's validation PNGs, class by class, round-robin, <paramref name="count"/> of them.</summary>
    private static List<string> SampleImages(int count)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var valid = Path.Combine(dir.FullName, "samples", "data", "fashion-mnist-sample", "valid");
            if (!Directory.Exists(valid)) continue;
            var perClass = Directory.GetDirectories(valid).Order(StringComparer.Ordinal).Select(d => Directory.GetFiles(d, "*.png").Order(StringComparer.Ordinal).ToArray()).ToArray();
            return Enumerable.Range(0, perClass.Max(f => f.Length)).SelectMany(i => perClass.Where(f => i < f.Length).Select(f => f[i])).Take(count).ToList();
        }
        throw new DirectoryNotFoundException("samples/data/fashion-mnist-sample not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The stock input: a path (and the label the saved chain's first step maps; empty at prediction).</summary>
    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    private sealed class ScoreOnly
    {
        public float[] Score { get; set; } = [];
    }

    /// <summary>The sample, built next to this benchmark (samples/WebApi), run as a child process on 127.0.0.1 with a free port.</summary>
    private sealed class ServerProcess : IDisposable
    {
        private readonly Process _process;

        private ServerProcess(Process process, Uri baseAddress)
        {
            _process = process;
            BaseAddress = baseAddress;
        }

        public Uri BaseAddress { get; }

        public int Pid => _process.Id;

        public static ServerProcess Start(string modelPath, long maxUploadBytes, string? concurrency)
        {
            var dll = typeof(ServeBenchmark).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "WebApiSampleDll").Value!;
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { dll, "--urls", "http://127.0.0.1:0", "--Serving:ModelPath", modelPath, "--Serving:MaxUploadBytes", maxUploadBytes.ToString(CultureInfo.InvariantCulture) })
                info.ArgumentList.Add(a);
            if (concurrency is not null) { info.ArgumentList.Add("--Serving:MaxConcurrentPredictions"); info.ArgumentList.Add(concurrency); }
            var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
            var address = new TaskCompletionSource<Uri>();
            process.OutputDataReceived += (_, e) =>
            {
                const string marker = "Now listening on: ";
                if (e.Data?.IndexOf(marker, StringComparison.Ordinal) is int at and >= 0) address.TrySetResult(new Uri(e.Data[(at + marker.Length)..].Trim()));
            };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("server: " + e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            if (!address.Task.Wait(TimeSpan.FromSeconds(120)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("The Web API did not start listening within 120 s.");
            }
            return new ServerProcess(process, address.Task.Result);
        }

        public double RssMiB()
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        }

        public double CpuSeconds()
        {
            _process.Refresh();
            return _process.TotalProcessorTime.TotalSeconds;
        }

        public string Health()
        {
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = BaseAddress };
            using var response = http.GetAsync("/health").GetAwaiter().GetResult();
            var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return $"{(int)response.StatusCode} {root.GetProperty("status")}, predictions {root.GetProperty("predictions")}, rejected {root.GetProperty("rejected")}, aborted {root.GetProperty("aborted")}";
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(10_000);
            }
            _process.Dispose();
        }
    }
}
