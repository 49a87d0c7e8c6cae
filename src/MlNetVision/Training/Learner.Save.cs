namespace MlNetVision.Training;

public sealed partial class Learner
{
    /// <summary>The path <see cref="Save"/> writes for <paramref name="name"/>: <c>Data.Path/models/name.ckpt</c>.</summary>
    public string CheckpointPath(string name) => System.IO.Path.Combine(ModelDirectory, name + Checkpoint.Extension);

    /// <summary>
    /// Saves the weights with the architecture, classes, image size, normalisation and head shape to
    /// <c>Data.Path/models/<paramref name="name"/>.ckpt</c>, atomically (fastai <c>learn.save('stage-1')</c>). With
    /// <paramref name="withTrainingState"/> (fastai's <c>with_opt=True</c>, and more) the checkpoint also holds the
    /// optimiser state, the torch generator's state, the training loader's epoch, the frozen layer groups and, when saved
    /// at the end of an epoch of a fit (by a callback's <c>AfterEpoch</c>), the fit's position and schedule, so that
    /// <see cref="Resume"/> can continue it (see <see cref="CheckpointTrainingState"/>).
    /// </summary>
    /// <param name="name">The checkpoint's name, without folder or extension.</param>
    /// <param name="withTrainingState">Also save the training state; default <see langword="true"/>. The optimiser's two
    /// moving averages make the file about three times the size of a weights-only one.</param>
    /// <returns>The full path written.</returns>
    public string Save(string name, bool withTrainingState = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var head = Options.Head;
        var info = new CheckpointInfo(Model.Architecture.Name, Classes.ToArray(), Data.ImageSize, Model.Architecture.Normalization,
            head.HiddenSizes, head.Dropout, head.ConcatPool, DateTime.UtcNow)
        { ResizeMethod = Data.ResizeMethod.ToString(), Weights = Model.WeightsSource };
        if (!withTrainingState) return Checkpoint.Write(CheckpointPath(name), Model, info);
        var (training, write) = CaptureTrainingState();
        return Checkpoint.Write(CheckpointPath(name), Model, info with { Training = training }, write);
    }

    /// <summary>
    /// Loads <c>Data.Path/models/<paramref name="name"/>.ckpt</c> into this learner's model in place (fastai
    /// <c>learn.load('stage-1')</c>) on whatever device it lives (tensors are read on the CPU, then copied). By default the
    /// frozen state is kept and the optimiser's moving averages are reset. With <paramref name="withTrainingState"/> the
    /// checkpoint's training state comes back too: the frozen layer groups, the optimiser state, the torch generator,
    /// the training loader's epoch and batch size (what <see cref="Resume"/> continues from).
    /// </summary>
    /// <param name="name">The checkpoint's name, without folder or extension.</param>
    /// <param name="withTrainingState">Also restore the training state; default <see langword="false"/>.</param>
    /// <exception cref="FileNotFoundException">No checkpoint of that name.</exception>
    /// <exception cref="CheckpointMismatchException">The checkpoint was made for another architecture, head or class list
    /// (or, with <paramref name="withTrainingState"/>, another image size or number of layer groups).</exception>
    /// <exception cref="InvalidOperationException"><paramref name="withTrainingState"/> is set and the checkpoint holds weights only.</exception>
    public Learner Load(string name, bool withTrainingState = false)
    {
        LoadCheckpoint(name, withTrainingState);
        return this;
    }

    private CheckpointInfo LoadCheckpoint(string name, bool withTrainingState)
    {
        var path = CheckpointPath(name);
        if (!File.Exists(path)) throw new FileNotFoundException($"No checkpoint '{name}' in {ModelDirectory}.", path);
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream);
        var info = Checkpoint.ReadHeader(reader, path);
        if (!string.Equals(info.Architecture, Model.Architecture.Name, StringComparison.OrdinalIgnoreCase))
            throw new CheckpointMismatchException($"'{path}' holds a {info.Architecture} model; this learner is {Model.Architecture.Name}.");
        if (!info.Classes.SequenceEqual(Classes))
            throw new CheckpointMismatchException(
                $"'{path}' was trained on {info.Classes.Length} classes ({Preview(info.Classes)}); this learner's data has {Classes.Count} ({Preview(Classes)}).");
        if (!info.HiddenSizes.SequenceEqual(Options.Head.HiddenSizes) || info.ConcatPool != Options.Head.ConcatPool)
            throw new CheckpointMismatchException($"'{path}' has a different head (hidden sizes [{string.Join(", ", info.HiddenSizes)}]).");
        if (withTrainingState) CheckResumable(info, path);
        Model.load(reader);
        if (withTrainingState) RestoreTrainingState(reader, info.Training!, path);
        else Optimizer.ResetState();
        return info;
    }

    private static string Preview(IEnumerable<string> names)
    {
        var list = names.Take(6).ToList();
        return string.Join(", ", list) + (names.Count() > 6 ? ", …" : "");
    }
}
