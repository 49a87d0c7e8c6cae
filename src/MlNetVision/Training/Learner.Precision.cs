using MlNetVision.Training.Callbacks;
using static TorchSharp.torch;

namespace MlNetVision.Training;

public sealed partial class Learner
{
    /// <summary>
    /// The mixed-precision callback attached to every fit (<see cref="ToFp16"/>, <see cref="ToBf16"/>,
    /// <see cref="LearnerOptions.MixedPrecision"/>); <see langword="null"/> when the learner trains in fp32, the default.
    /// </summary>
    public MixedPrecision? MixedPrecision { get; private set; }

    /// <summary>
    /// Trains every following fit in mixed precision with fp16 weights and dynamic loss scaling (fastai v1
    /// <c>learn.to_fp16()</c>); the model, checkpoints and exports stay fp32. See <see cref="Callbacks.MixedPrecision"/>.
    /// </summary>
    /// <returns>This learner.</returns>
    public Learner ToFp16() => ToHalf(ScalarType.Float16);

    /// <summary>Trains every following fit in mixed precision with bf16 weights (fastai v2 <c>learn.to_bf16()</c>), no loss scaling; the model, checkpoints and exports stay fp32.</summary>
    /// <returns>This learner.</returns>
    public Learner ToBf16() => ToHalf(ScalarType.BFloat16);

    /// <summary>Trains every following fit in fp32 again (fastai <c>learn.to_fp32()</c>).</summary>
    /// <returns>This learner.</returns>
    public Learner ToFp32()
    {
        MixedPrecision = null;
        return this;
    }

    private Learner ToHalf(ScalarType? type)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        MixedPrecision = new MixedPrecision(type);
        return this;
    }
}
