namespace WebApi;

/// <summary>The Web API's settings, bound from the <c>Serving</c> configuration section (e.g. <c>--Serving:ModelPath=model.zip</c>).</summary>
public sealed class ServingOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "Serving";

    /// <summary>Default of <see cref="MaxUploadBytes"/>: 8 MiB, several times a large phone JPEG.</summary>
    public const long DefaultMaxUploadBytes = 8L * 1024 * 1024;

    /// <summary>
    /// Default of <see cref="MaxImagePixels"/>: 4096 × 4096. Lower than the training loader's guard (Pillow's 89 MP)
    /// because a server decodes several uploads at once, each at full size (64 MiB of pixels at this limit).
    /// </summary>
    public const long DefaultMaxImagePixels = 4096L * 4096;

    /// <summary>Default of <see cref="TopK"/>: 3, as the Model Builder samples print.</summary>
    public const int DefaultTopK = 3;

    /// <summary>Default of <see cref="MinUploadBytesPerSecond"/>: Kestrel's own 240 bytes/s.</summary>
    public const double DefaultMinUploadBytesPerSecond = 240;

    /// <summary>Default of <see cref="UploadGracePeriod"/>: Kestrel's own 5 s.</summary>
    public static readonly TimeSpan DefaultUploadGracePeriod = TimeSpan.FromSeconds(5);

    /// <summary>Default of <see cref="UploadTimeout"/>: 30 s, Kestrel's request-headers timeout.</summary>
    public static readonly TimeSpan DefaultUploadTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The model.zip to serve; <see langword="null"/> serves the sample's model, trained on first run.</summary>
    /// <value>The default is <see langword="null"/> (<see cref="SampleModel.DefaultPath"/>).</value>
    public string? ModelPath { get; set; }

    /// <summary>The largest accepted image upload in bytes; a larger body gets 413.</summary>
    /// <value>The default is <see cref="DefaultMaxUploadBytes"/> (8 MiB).</value>
    public long MaxUploadBytes { get; set; } = DefaultMaxUploadBytes;

    /// <summary>The largest accepted width × height, read from the image header before anything is decoded; more gets 422.</summary>
    /// <value>The default is <see cref="DefaultMaxImagePixels"/> (4096 × 4096).</value>
    public long MaxImagePixels { get; set; } = DefaultMaxImagePixels;

    /// <summary>How many classes a prediction lists when the request has no <c>top</c> query parameter.</summary>
    /// <value>The default is <see cref="DefaultTopK"/> (3).</value>
    public int TopK { get; set; } = DefaultTopK;

    /// <summary>Predictions computed at once; further requests wait. <see langword="null"/> uses the processor count.</summary>
    /// <value>The default is <see langword="null"/> (<see cref="Environment.ProcessorCount"/>).</value>
    public int? MaxConcurrentPredictions { get; set; }

    /// <summary>The slowest upload Kestrel tolerates after <see cref="UploadGracePeriod"/>; a slower one gets 408.</summary>
    /// <value>The default is <see cref="DefaultMinUploadBytesPerSecond"/> (240 bytes/s, Kestrel's).</value>
    public double MinUploadBytesPerSecond { get; set; } = DefaultMinUploadBytesPerSecond;

    /// <summary>How long an upload may run below <see cref="MinUploadBytesPerSecond"/> before it is cut.</summary>
    /// <value>The default is <see cref="DefaultUploadGracePeriod"/> (5 s, Kestrel's).</value>
    public TimeSpan UploadGracePeriod { get; set; } = DefaultUploadGracePeriod;

    /// <summary>The longest an upload may take in total, however fast it trickles in; a longer one gets 408.</summary>
    /// <value>The default is <see cref="DefaultUploadTimeout"/> (30 s).</value>
    public TimeSpan UploadTimeout { get; set; } = DefaultUploadTimeout;

    /// <summary>The concurrency actually used: <see cref="MaxConcurrentPredictions"/> or the processor count.</summary>
    public int EffectiveConcurrency => Math.Max(1, MaxConcurrentPredictions ?? Environment.ProcessorCount);
}
