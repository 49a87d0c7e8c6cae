using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text.Json;

namespace MlNetVision.Tests.Serving;

/// <summary>Requests to <c>POST /predict</c>, the bad uploads the server must refuse, and reading its answers.</summary>
internal static class Uploads
{
    /// <summary>The image as the raw body.</summary>
    public static HttpContent Raw(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    /// <summary>The image as the file field <c>image</c> of a multipart form.</summary>
    public static HttpContent Multipart(byte[] bytes, string contentType, string fileName)
    {
        var file = Raw(bytes, contentType);
        return new MultipartFormDataContent { { file, "image", fileName } };
    }

    /// <summary>The kinds of bad upload, each with the status and error code it must get.</summary>
    public static IEnumerable<(string Kind, int Status, string Code, Func<byte[], HttpContent> Make)> BadKinds(long maxUploadBytes) =>
    [
        ("empty body", 400, "empty-body", _ => Raw([], "image/png")),
        ("not an image", 422, "not-an-image", _ => Raw("this is not an image\n"u8.ToArray(), "image/png")),
        ("truncated image", 422, "truncated-image", png => Raw(png[..(png.Length / 2)], "image/png")),
        ("decompression bomb", 422, "too-many-pixels", png => Raw(WithDeclaredSize(png, 40_000, 40_000), "image/png")),
        ("wrong content type", 415, "unsupported-media-type", png => Raw(png, "text/plain")),
        ("oversized upload", 413, "upload-too-large", _ => Raw(new byte[maxUploadBytes + 1], "image/png")),
        ("multipart without a file", 400, "no-file", _ => new MultipartFormDataContent { { new StringContent("x"), "note" } }),
        ("text file part", 415, "unsupported-media-type", png => Multipart(png, "text/plain", "a.txt")),
    ];

    /// <summary>A copy of a PNG whose header declares another size (CRC fixed), so decoding it would allocate width × height pixels.</summary>
    public static byte[] WithDeclaredSize(byte[] png, int width, int height)
    {
        var copy = (byte[])png.Clone();
        Assert.Equal("IHDR"u8.ToArray(), copy[12..16]);
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(29), Crc32(copy.AsSpan(12, 17)));
        return copy;
    }

    /// <summary>The answer's status and JSON body (null when the body is not JSON).</summary>
    public static async Task<(int Status, JsonDocument? Json)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        JsonDocument? json = null;
        try { json = JsonDocument.Parse(text); } catch (JsonException) { }
        return ((int)response.StatusCode, json);
    }

    /// <summary>The probabilities of a prediction answer, by class name (from its <c>top</c> list).</summary>
    public static Dictionary<string, float> Probabilities(JsonDocument json) =>
        json.RootElement.GetProperty("top").EnumerateArray().ToDictionary(e => e.GetProperty("class").GetString()!, e => e.GetProperty("probability").GetSingle());

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
