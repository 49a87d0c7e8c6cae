using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using WebApi;

namespace MlNetVision.Tests.Serving;

[Collection(ServingCollection.Name)]
public class WebApiBadInputTests(ServingFixture fixture)
{
    public static TheoryData<string> BadKinds => new(Uploads.BadKinds(ServingFixture.MaxUploadBytes).Select(k => k.Kind));

    [Theory]
    [MemberData(nameof(BadKinds))]
    public async Task Should_AnswerA4xxProblemWithItsCode_When_TheUploadIsBad(string kind)
    {
        var bad = Uploads.BadKinds(ServingFixture.MaxUploadBytes).Single(k => k.Kind == kind);
        using var http = fixture.CreateClient();
        using var response = await http.PostAsync("/predict", bad.Make(fixture.Images[0].Bytes));
        var (status, json) = await Uploads.ReadAsync(response);

        Assert.Equal(bad.Status, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bad.Status, json!.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(bad.Code, json.RootElement.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(json.RootElement.GetProperty("detail").GetString()));
        await AssertStillServing();
    }

    [Fact]
    public async Task Should_Answer413WithoutWaitingForTheBody_When_TheDeclaredLengthIsOverTheLimit()
    {
        // Headers only: a server that waited for 100 MB would never answer.
        var (status, body) = await RawExchange($"POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: image/png\r\nContent-Length: {100_000_000}\r\n\r\n", bodyWriter: null);
        Assert.Equal(413, status);
        Assert.Contains("upload-too-large", body);
        await AssertStillServing();
    }

    [Fact]
    public async Task Should_Answer413_When_AChunkedUploadGrowsOverTheLimit()
    {
        using var http = fixture.CreateClient();
        var content = new StreamContent(new MemoryStream(new byte[ServingFixture.MaxUploadBytes + 4096]));
        content.Headers.ContentType = new("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/predict") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await http.SendAsync(request);
        var (status, json) = await Uploads.ReadAsync(response);
        Assert.Equal(413, status);
        Assert.Equal("upload-too-large", json!.RootElement.GetProperty("code").GetString());
        await AssertStillServing();
    }

    [Fact]
    public async Task Should_Answer408_When_TheUploadStallsBelowTheMinimumRate()
    {
        var started = DateTime.UtcNow;
        var (status, body) = await RawExchange("POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n",
            async (stream, ct) => { await stream.WriteAsync(new byte[10], ct); await Task.Delay(Timeout.Infinite, ct); });
        Assert.Equal(408, status);
        Assert.Contains("upload-too-slow", body);
        Assert.True(DateTime.UtcNow - started < ServingFixture.UploadTimeout, "the minimum data rate, not the whole-upload deadline, should have cut it");
        await AssertStillServing();
    }

    [Fact]
    public async Task Should_Answer408_When_AnUploadTricklesInLongerThanTheDeadline()
    {
        // 40 bytes every 200 ms is 200 bytes/s, above the 100 bytes/s minimum: only the deadline stops it.
        var (status, body) = await RawExchange("POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n",
            async (stream, ct) =>
            {
                while (true)
                {
                    await stream.WriteAsync(new byte[40], ct);
                    await Task.Delay(200, ct);
                }
            });
        Assert.Equal(408, status);
        Assert.Contains("upload-timeout", body);
        await AssertStillServing();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Should_KeepServing_When_TheClientAbandonsAnUploadHalfWay(bool reset)
    {
        var counters = fixture.Services.GetRequiredService<ServingCounters>();
        long Outcomes() => counters.Predictions + counters.Aborted + counters.Rejected.Values.Sum();
        var before = Outcomes();
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(fixture.BaseAddress.Host, fixture.BaseAddress.Port);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /predict HTTP/1.1\r\nHost: test\r\nContent-Type: image/png\r\nContent-Length: 5000\r\n\r\n"));
            await stream.WriteAsync(fixture.Images[0].Bytes.AsMemory(0, 100));
            await Task.Delay(200);
            if (reset) tcp.Client.LingerState = new LingerOption(true, 0); // close with RST instead of FIN
        }
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Outcomes() == before && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(before + 1, Outcomes());
        Assert.Equal(0, counters.Rejected.Where(r => r.Key >= 500).Sum(r => r.Value));
        await AssertStillServing();
    }

    /// <summary>Health answers and a valid image still gets the reference answer.</summary>
    private async Task AssertStillServing()
    {
        using var http = fixture.CreateClient();
        using var health = await http.GetAsync("/health");
        Assert.Equal(200, (int)health.StatusCode);
        using var healthJson = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
        Assert.Equal("healthy", healthJson.RootElement.GetProperty("status").GetString());
        var image = fixture.Images[^1];
        using var response = await http.PostAsync("/predict", Uploads.Raw(image.Bytes, image.ContentType));
        var (status, json) = await Uploads.ReadAsync(response);
        Assert.Equal(200, status);
        Assert.Equal(image.ReferenceScore, ServingFixture.Classes.Select(c => Uploads.Probabilities(json!)[c]));
    }

    /// <summary>Sends raw HTTP/1.1 on a socket, keeps writing the body with <paramref name="bodyWriter"/> until the answer comes, and reads it.</summary>
    private async Task<(int Status, string Body)> RawExchange(string head, Func<NetworkStream, CancellationToken, Task>? bodyWriter)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.BaseAddress.Host, fixture.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var writing = bodyWriter is null ? Task.CompletedTask : Task.Run(async () =>
        {
            try { await bodyWriter(stream, stop.Token); } catch (Exception e) when (e is OperationCanceledException or IOException or SocketException) { }
        });
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, stop.Token)) > 0)
            {
                received.Write(buffer, 0, read);
                if (Complete(received.ToArray())) break;
            }
        }
        catch (IOException) { }
        stop.Cancel();
        await writing;
        var text = Encoding.UTF8.GetString(received.ToArray());
        Assert.StartsWith("HTTP/1.1 ", text);
        return (int.Parse(text[9..12]), text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }

    /// <summary>Whether the bytes hold a whole response (headers and the Content-Length or chunked body).</summary>
    private static bool Complete(byte[] bytes)
    {
        var text = Encoding.ASCII.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0) return false;
        var headers = text[..end];
        var length = headers.Split("\r\n").FirstOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        if (length is not null) return bytes.Length >= end + 4 + int.Parse(length.Split(':')[1].Trim());
        return text.EndsWith("0\r\n\r\n", StringComparison.Ordinal);
    }
}
