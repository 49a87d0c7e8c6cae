using System.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace WebApi;

/// <summary>
/// The Web API: <c>POST /predict</c> (an image as the raw body or a multipart file → class, probability, top-k) and
/// <c>GET /health</c>. Every refused upload gets a 4xx problem+json answer (RFC 9457) with a <c>code</c> member;
/// the server keeps serving.
/// </summary>
public static class ServingApp
{
    /// <summary>Builds the app from command-line arguments and configuration, loading (or first training) the model.</summary>
    /// <param name="args">Command-line arguments, e.g. <c>--urls http://127.0.0.1:5000 --Serving:ModelPath model.zip</c>.</param>
    /// <param name="configure">Changes to the builder before the options are read (tests add configuration here).</param>
    /// <returns>The app, not yet started.</returns>
    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        configure?.Invoke(builder);
        var options = builder.Configuration.GetSection(ServingOptions.SectionName).Get<ServingOptions>() ?? new ServingOptions();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes + ImageUpload.MultipartOverheadBytes;
            kestrel.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(options.MinUploadBytesPerSecond, options.UploadGracePeriod);
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<ServingCounters>();
        builder.Services.AddSingleton(services =>
        {
            var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ServingApp));
            var path = options.ModelPath ?? SampleModel.EnsureTrained(SampleModel.DefaultPath, message => log.LogInformation("{Message}", message));
            var model = ServedModel.Load(path, options.EffectiveConcurrency);
            log.LogInformation("Serving {Path}: {Count} classes, {Concurrency} predictions at a time", model.ModelPath, model.ClassNames.Count, model.Concurrency);
            return model;
        });
        builder.Services.AddProblemDetails();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Services.GetRequiredService<ServedModel>(); // load and warm now, not on the first request
        var started = Stopwatch.StartNew();
        app.MapPost("/predict", PredictAsync);
        app.MapGet("/health", (ServedModel model, ServingCounters counters) => Results.Ok(new HealthReport(
            "healthy", model.ModelPath, model.ClassNames, model.Concurrency, Math.Round(started.Elapsed.TotalSeconds, 1), counters.Predictions, counters.Rejected, counters.Aborted)));
        return app;
    }

    /// <summary>
    /// Reads the upload (within the size limit and the upload deadline), decodes it in memory, predicts. Kestrel's own
    /// limits surface as <see cref="BadHttpRequestException"/>: a body over <c>MaxRequestBodySize</c> (413), one slower
    /// than <c>MinRequestBodyDataRate</c> (408), one that ends early (400).
    /// </summary>
    private static async Task<IResult> PredictAsync(HttpContext context, ServedModel model, ServingOptions options, ServingCounters counters)
    {
        var aborted = context.RequestAborted;
        try
        {
            var topK = TopK(context.Request.Query["top"], options.TopK, model.ClassNames.Count);
            ReadOnlyMemory<byte> bytes;
            using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(aborted))
            {
                deadline.CancelAfter(options.UploadTimeout);
                try
                {
                    bytes = await ImageUpload.ReadAsync(context.Request, options.MaxUploadBytes, deadline.Token);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    throw new UploadRejectedException(408, "upload-timeout", $"The upload took longer than {options.UploadTimeout.TotalSeconds:0.#} s.");
                }
            }
            using var image = UploadedImage.Decode(bytes, options.MaxImagePixels);
            var result = await model.PredictAsync(image, topK, aborted);
            counters.Predicted();
            return Results.Ok(result);
        }
        catch (UploadRejectedException e)
        {
            counters.Refused(e.StatusCode);
            return Problem(e.StatusCode, e.Code, e.Message);
        }
        catch (BadHttpRequestException e) when (!aborted.IsCancellationRequested)
        {
            counters.Refused(e.StatusCode);
            var code = e.StatusCode switch { 413 => "upload-too-large", 408 => "upload-too-slow", _ => "bad-request" };
            return Problem(e.StatusCode, code, e.Message);
        }
        catch (Exception e) when (aborted.IsCancellationRequested && e is OperationCanceledException or IOException or BadHttpRequestException)
        {
            counters.Abandoned(); // the client went away mid-upload: there is no one to answer
            return Results.Empty;
        }
    }

    private static int TopK(string? value, int fallback, int classCount)
    {
        if (string.IsNullOrEmpty(value)) return Math.Clamp(fallback, 1, classCount);
        if (int.TryParse(value, out var k) && k >= 1) return Math.Min(k, classCount);
        throw new UploadRejectedException(400, "bad-top", $"The top query parameter must be a positive integer, not '{value}'.");
    }

    private static IResult Problem(int status, string code, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: ReasonPhrases.GetReasonPhrase(status), extensions: new Dictionary<string, object?> { ["code"] = code });
}

/// <summary>The JSON answer of <c>GET /health</c>.</summary>
/// <param name="Status">Always <c>healthy</c> while the server answers (the model is loaded and warm before it listens).</param>
/// <param name="Model">The model file served.</param>
/// <param name="Classes">Its class names, in Score order.</param>
/// <param name="Concurrency">Predictions computed at once.</param>
/// <param name="UptimeSeconds">Seconds since the app was built.</param>
/// <param name="Predictions">Predictions answered.</param>
/// <param name="Rejected">Refused uploads by HTTP status.</param>
/// <param name="Aborted">Uploads the client abandoned.</param>
public sealed record HealthReport(string Status, string Model, IReadOnlyList<string> Classes, int Concurrency, double UptimeSeconds,
    long Predictions, IReadOnlyDictionary<int, long> Rejected, long Aborted);
