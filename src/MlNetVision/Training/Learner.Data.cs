using MlNetVision.Data;

namespace MlNetVision.Training;

public sealed partial class Learner
{
    /// <summary>
    /// Gives the learner new data and keeps everything else (fastai <c>learn.dls = get_dls(bs, size)</c>, progressive
    /// resizing): the weights, the frozen layer groups, the optimiser and its state, the recorder, the metrics, the loss and
    /// the normalisation (it is part of the model, so new data at another size is normalised as before). What depends on
    /// the data follows it from the next call on: the batches and the schedule's length of the next fit, image size and
    /// resize method of <see cref="Predict(string)"/>, <see cref="GetPreds"/>, checkpoints and exports. Checkpoints stay in
    /// <see cref="ModelDirectory"/> (fastai keeps <c>learn.path</c>). The learner does not own either bunch: the caller
    /// disposes the old one when done with it.
    /// </summary>
    /// <param name="data">Images with the same classes in the same order, at any size and batch size.</param>
    /// <exception cref="ArgumentException"><paramref name="data"/> has another class list (the message shows both).</exception>
    /// <exception cref="ObjectDisposedException">The learner was disposed.</exception>
    public void SetData(ImageDataBunch data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!data.Classes.SequenceEqual(_data.Classes, StringComparer.Ordinal))
            throw new ArgumentException(
                $"The new data's classes ({data.Classes.Count}: {Preview(data.Classes)}) are not the learner's " +
                $"({_data.Classes.Count}: {Preview(_data.Classes)}); the head predicts the learner's classes in that order. " +
                "Build the new data from the same class folders (or set ImageDataBunchOptions.Classes) to keep training.", nameof(data));
        _data = data;
    }
}
