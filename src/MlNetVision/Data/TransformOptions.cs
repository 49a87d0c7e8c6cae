namespace MlNetVision.Data;

/// <summary>
/// The training augmentation, with fastai v1's <c>get_transforms()</c> defaults (fastai/vision/transform.py):
/// random crop, horizontal flip p=0.5, symmetric warp 0.2, rotation ±10°, zoom up to 1.1 and lighting 0.2, affine
/// transforms and lighting each applied with p=0.75. Validation never augments: it only centre-crops or resizes.
/// </summary>
public sealed class TransformOptions
{
    /// <summary>Whether to flip horizontally with probability 0.5 (fastai <c>do_flip</c>).</summary>
    /// <value>The default value is <c>true</c>.</value>
    public bool DoFlip { get; set; } = true;

    /// <summary>Whether flips also include vertical flips and 90° rotations (fastai <c>flip_vert</c>, the dihedral group).</summary>
    /// <value>The default value is <c>false</c>.</value>
    public bool FlipVert { get; set; }

    /// <summary>The largest rotation, in degrees, either way (fastai <c>max_rotate</c>).</summary>
    /// <value>The default value is 10.</value>
    public float MaxRotate { get; set; } = 10f;

    /// <summary>The largest zoom factor; a zoom in [1, MaxZoom] centred anywhere (fastai <c>max_zoom</c>). 1 disables it.</summary>
    /// <value>The default value is 1.1.</value>
    public float MaxZoom { get; set; } = 1.1f;

    /// <summary>The lighting magnitude: brightness in 0.5·(1±m), contrast in [1-m, 1/(1-m)] (fastai <c>max_lighting</c>).</summary>
    /// <value>The default value is 0.2.</value>
    public float MaxLighting { get; set; } = 0.2f;

    /// <summary>The largest magnitude of the symmetric perspective warp of each corner pair (fastai <c>max_warp</c>).</summary>
    /// <value>The default value is 0.2.</value>
    public float MaxWarp { get; set; } = 0.2f;

    /// <summary>The probability of each affine or coordinate transform: warp, rotation and zoom (fastai <c>p_affine</c>).</summary>
    /// <value>The default value is 0.75.</value>
    public float PAffine { get; set; } = 0.75f;

    /// <summary>The probability of each lighting transform: brightness and contrast (fastai <c>p_lighting</c>).</summary>
    /// <value>The default value is 0.75.</value>
    public float PLighting { get; set; } = 0.75f;

    /// <summary>Whether training crops at a random position instead of the centre (fastai <c>rand_crop</c>).</summary>
    /// <value>The default value is <c>true</c>.</value>
    public bool RandomCrop { get; set; } = true;

    /// <summary>fastai v1's <c>get_transforms()</c> defaults.</summary>
    public static TransformOptions FastAiDefaults() => new();

    /// <summary>No augmentation at all: training batches are served like validation batches (but still shuffled).</summary>
    public static TransformOptions None() => new()
    {
        DoFlip = false, MaxRotate = 0, MaxZoom = 1, MaxLighting = 0, MaxWarp = 0, RandomCrop = false,
    };

    /// <summary>Whether any transform can change a pixel.</summary>
    public bool IsIdentity => !DoFlip && !FlipVert && MaxRotate == 0 && MaxZoom <= 1 && MaxLighting == 0 && MaxWarp == 0 && !RandomCrop;
}
