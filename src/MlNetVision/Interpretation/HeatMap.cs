namespace MlNetVision.Interpretation;

/// <summary>
/// A Grad-CAM heat map of one image (see <see cref="GradCam"/>): how strongly each pixel of the model's input drove the
/// score of <see cref="ClassIndex"/>, scaled to 0..1, at the input size. It carries the input image it was computed on
/// (as the model saw it: resized, cropped, alpha flattened onto white) and the model's probabilities for that image.
/// </summary>
public sealed class HeatMap
{
    /// <summary>The share of the maximum above which a pixel belongs to the peak (<see cref="Peak"/>).</summary>
    public const float PeakShare = 0.99f;

    private readonly HeatMapGeometry _geometry;
    private readonly float[] _values;
    private readonly byte[] _image;
    private readonly float[] _probabilities;

    internal HeatMap(HeatMapGeometry geometry, float[] values, byte[] image, int classIndex, float[] probabilities)
    {
        _geometry = geometry;
        _values = values;
        _image = image;
        _probabilities = probabilities;
        ClassIndex = classIndex;
        Predicted = Array.IndexOf(probabilities, probabilities.Max());
    }

    /// <summary>The height in pixels (the model's input height).</summary>
    public int Height => _geometry.Height;

    /// <summary>The width in pixels (the model's input width).</summary>
    public int Width => _geometry.Width;

    /// <summary>The map, row-major, <see cref="Height"/> × <see cref="Width"/> values in 0..1 (all 0 when <see cref="IsFlat"/>).</summary>
    public IReadOnlyList<float> Values => _values;

    /// <summary>The input image the map belongs to: RGB bytes, row-major, 3 per pixel, <see cref="Height"/> × <see cref="Width"/> pixels.</summary>
    public IReadOnlyList<byte> Image => _image;

    /// <summary>The class the map explains.</summary>
    public int ClassIndex { get; }

    /// <summary>The class the model predicted for this image (arg max of <see cref="Probabilities"/>, first on ties).</summary>
    public int Predicted { get; }

    /// <summary>The model's softmax probability of each class for this image.</summary>
    public IReadOnlyList<float> Probabilities => _probabilities;

    /// <summary>The height of the body's last feature map, the map's real resolution (input height / 32 for ResNets).</summary>
    public int FeatureHeight => _geometry.FeatureHeight;

    /// <summary>The width of the body's last feature map.</summary>
    public int FeatureWidth => _geometry.FeatureWidth;

    /// <summary>Whether the map carries no information: no feature map position had positive evidence for the class, or all had the same.</summary>
    public bool IsFlat => _values.All(v => v == 0);

    /// <summary>The value at <paramref name="row"/>, <paramref name="column"/>, in 0..1.</summary>
    public float this[int row, int column]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)row, (uint)Height, nameof(row));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)column, (uint)Width, nameof(column));
            return _values[row * Width + column];
        }
    }

    /// <summary>
    /// Where the map peaks: the centre (mean row and column) of the pixels within <see cref="PeakShare"/> of the maximum.
    /// Bilinear upsampling makes the maximum a plateau along the borders, so the centre is a better location than the
    /// first maximal pixel. Null when <see cref="IsFlat"/>.
    /// </summary>
    public (double Row, double Column)? Peak()
    {
        float max = _values.Max();
        if (max <= 0) return null;
        float threshold = max * PeakShare;
        double rows = 0, columns = 0;
        long count = 0;
        for (int r = 0; r < Height; r++)
            for (int c = 0; c < Width; c++)
            {
                if (_values[r * Width + c] < threshold) continue;
                rows += r;
                columns += c;
                count++;
            }
        return (rows / count, columns / count);
    }

    internal ReadOnlySpan<float> ValueSpan => _values;

    internal ReadOnlySpan<byte> ImageSpan => _image;
}
