using System.Buffers;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace WebApi;

/// <summary>
/// Reads the image out of a <c>POST /predict</c> request into memory, within the size limit: a raw body
/// (<c>image/*</c> or <c>application/octet-stream</c>) or the first file part of a <c>multipart/form-data</c> body,
/// streamed with <see cref="MultipartReader"/> so nothing is buffered to disk.
/// </summary>
public static class ImageUpload
{
    /// <summary>Room left above <see cref="ServingOptions.MaxUploadBytes"/> for the multipart boundaries and part headers.</summary>
    public const long MultipartOverheadBytes = 64 * 1024;

    private const int PartHeadersLimit = 16 * 1024;

    /// <summary>Reads the uploaded image bytes.</summary>
    /// <param name="request">The request.</param>
    /// <param name="maxBytes">The largest image accepted.</param>
    /// <param name="cancellationToken">Cancels the read (the upload deadline, or the client going away).</param>
    /// <returns>The image bytes, possibly empty.</returns>
    /// <exception cref="UploadRejectedException">Wrong content type (415), malformed form or no file part (400), too large (413).</exception>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.MediaType.Value is not { } type)
            throw WrongType(request.ContentType);
        if (request.ContentLength > maxBytes + (IsMultipart(type) ? MultipartOverheadBytes : 0)) throw TooLarge(maxBytes);

        if (IsImageType(type)) return await ReadLimitedAsync(request.Body, maxBytes, request.ContentLength, cancellationToken);
        if (!IsMultipart(type)) throw WrongType(request.ContentType);

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            throw new UploadRejectedException(400, "malformed-form", "The multipart/form-data content type has no boundary.");
        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = PartHeadersLimit };
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition()) continue;
                if (section.ContentType is { } partType && !(MediaTypeHeaderValue.TryParse(partType, out var pt) && pt.MediaType.Value is { } p && IsImageType(p)))
                    throw new UploadRejectedException(415, "unsupported-media-type",
                        $"The file part is '{partType}'; send an image (image/jpeg, image/png, ...) or application/octet-stream.");
                return await ReadLimitedAsync(section.Body, maxBytes, null, cancellationToken);
            }
        }
        catch (InvalidDataException e)
        {
            throw new UploadRejectedException(400, "malformed-form", $"The multipart/form-data body is malformed: {e.Message}");
        }
        throw new UploadRejectedException(400, "no-file", "The multipart/form-data body has no file part; send the image as a file field (e.g. curl -F image=@photo.jpg).");
    }

    private static bool IsMultipart(string type) => type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    private static bool IsImageType(string type) =>
        type.StartsWith("image/", StringComparison.OrdinalIgnoreCase) || type.Equals("application/octet-stream", StringComparison.OrdinalIgnoreCase);

    private static UploadRejectedException WrongType(string? contentType) => new(415, "unsupported-media-type",
        $"Content type '{contentType ?? "(none)"}' is not accepted; send the image as the body (image/*, application/octet-stream) or as a multipart/form-data file.");

    private static UploadRejectedException TooLarge(long maxBytes) =>
        new(413, "upload-too-large", $"The upload is larger than this server's limit of {maxBytes:N0} bytes.");

    private static async Task<ReadOnlyMemory<byte>> ReadLimitedAsync(Stream body, long maxBytes, long? declaredLength, CancellationToken cancellationToken)
    {
        var memory = new MemoryStream(declaredLength is { } n && n <= maxBytes ? (int)n : 0);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (memory.Length + read > maxBytes) throw TooLarge(maxBytes);
                memory.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return memory.GetBuffer().AsMemory(0, (int)memory.Length);
    }
}
