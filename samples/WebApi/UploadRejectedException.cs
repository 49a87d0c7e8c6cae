namespace WebApi;

/// <summary>An upload the API refuses: the 4xx status to answer, a stable machine-readable code and a sentence for people.</summary>
/// <param name="statusCode">The HTTP status (400, 408, 413, 415 or 422).</param>
/// <param name="code">A stable identifier of the problem, e.g. <c>truncated-image</c>.</param>
/// <param name="message">What is wrong and what to send instead.</param>
public sealed class UploadRejectedException(int statusCode, string code, string message) : Exception(message)
{
    /// <summary>The HTTP status to answer with.</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>A stable identifier of the problem (the <c>code</c> member of the error JSON).</summary>
    public string Code { get; } = code;
}
