using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using WebApi;

namespace MlNetVision.Tests.Serving;

[Collection(ServingCollection.Name)]
public class WebApiLoadTests(ServingFixture fixture)
{
    [Fact]
    public async Task Should_AnswerLikeASingleThreadedEngineAndNever5xx_When_EightClientsPostFiftyRequestsEachWithTenPercentBad()
    {
        const int clients = 8, requestsPerClient = 50;
        var bad = Uploads.BadKinds(ServingFixture.MaxUploadBytes).ToList();
        var png = fixture.Images.First(i => i.ContentType == "image/png").Bytes;
        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var before = fixture.Services.GetRequiredService<ServingCounters>().Predictions;

        async Task Client(int c)
        {
            using var http = fixture.CreateClient();
            for (int r = 0; r < requestsPerClient; r++)
            {
                var n = c * requestsPerClient + r;
                if (n % 10 == 0)
                {
                    var kind = bad[n / 10 % bad.Count];
                    var (status, json) = await Post(http, kind.Make(png));
                    statuses.AddOrUpdate(status, 1, (_, k) => k + 1);
                    var code = json?.RootElement.TryGetProperty("code", out var v) == true ? v.GetString() : null;
                    if (status != kind.Status || code != kind.Code) failures.Enqueue($"{kind.Kind}: {status} {code}");
                }
                else
                {
                    var image = fixture.Images[n % fixture.Images.Count];
                    var content = n % 2 == 0 ? Uploads.Raw(image.Bytes, image.ContentType) : Uploads.Multipart(image.Bytes, image.ContentType, image.Name);
                    var (status, json) = await Post(http, content);
                    statuses.AddOrUpdate(status, 1, (_, k) => k + 1);
                    if (status != 200 || json is null) { failures.Enqueue($"{image.Name}: {status}"); continue; }
                    var got = Uploads.Probabilities(json);
                    var expected = ServingFixture.Classes.Select((name, i) => (name, p: image.ReferenceScore[i])).ToList();
                    if (expected.Any(e => got[e.name] != e.p))
                        failures.Enqueue($"{image.Name}: served {string.Join(",", got.Values)} != engine {string.Join(",", image.ReferenceScore)}");
                    var best = expected.OrderByDescending(e => e.p).First().name;
                    if (json.RootElement.GetProperty("class").GetString() != best) failures.Enqueue($"{image.Name}: class {json.RootElement.GetProperty("class")} != {best}");
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => Client(c))));

        Assert.DoesNotContain(statuses.Keys, s => s >= 500);
        Assert.Empty(failures);
        Assert.Equal(clients * requestsPerClient * 9 / 10, statuses[200]);
        Assert.Equal(clients * requestsPerClient * 9 / 10, fixture.Services.GetRequiredService<ServingCounters>().Predictions - before);

        // Still healthy, and still right.
        using var after = fixture.CreateClient();
        Assert.Equal(200, (int)(await after.GetAsync("/health")).StatusCode);
        var first = fixture.Images[0];
        var (okStatus, okJson) = await Post(after, Uploads.Raw(first.Bytes, first.ContentType));
        Assert.Equal(200, okStatus);
        Assert.Equal(first.ReferenceScore.Max(), okJson!.RootElement.GetProperty("probability").GetSingle());
    }

    private static async Task<(int, System.Text.Json.JsonDocument?)> Post(HttpClient http, HttpContent content)
    {
        using var response = await http.PostAsync("/predict", content);
        return await Uploads.ReadAsync(response);
    }
}
