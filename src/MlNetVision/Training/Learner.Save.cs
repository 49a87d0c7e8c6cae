namespace MlNetVision.Training;

public sealed partial class Learner
{
    /// <summary>The path <see cref="Save"/> writes for <paramref name="name"/>: <c>Data.Path/models/name.ckpt</c>.</summary>
    public string CheckpointPath(string name) => System.IO.Path.Combine(ModelDirectory, name + Checkpoint.Extension);

    /// <summary>
    /// Saves the weights with the architecture, classes, image size, normalisation and head shape to
    /// <c>Data.Path/models/<paramref name="name"/>.ckpt</c>, atomically (fastai <c>learn.save('stage-1')</c>).
    /// The optimiser state is not saved.
    /// </summary>
    /// <returns>The full path written.</returns>
    public string Save(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var head = Options.Head;
        var info = new CheckpointInfo(Model.Architecture.Name, Classes.ToArray(), Data.ImageSize, Model.Architecture.Normalization,
            head.HiddenSizes, head.Dropout, head.ConcatPool, DateTime.UtcNow)
        { ResizeMethod = Data.ResizeMethod.ToString(), Weights = Model.WeightsSource };
        return Checkpoint.Write(CheckpointPath(name), Model, info);
    }

    /// <summary>
    /// Loads <c>Data.Path/models/<paramref name="name"/>.ckpt</c> into this learner's model in place (fastai
    /// <c>learn.load('stage-1')</c>) on whatever device it lives (tensors are read on the CPU, then copied); the frozen
    /// state is kept and the optimiser's moving averages are reset.
    /// </summary>
    /// <exception cref="FileNotFoundException">No checkpoint of that name.</exception>
    /// <exception cref="CheckpointMismatchException">The checkpoint was made for another architecture, head or class list.</exception>
    public Learner Load(string name)
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
        Model.load(reader);
        Optimizer.ResetState();
        return this;
    }

    private static string Preview(IEnumerable<string> names)
    {
        var list = names.Take(6).ToList();
        return string.Join(", ", list) + (names.Count() > 6 ? ", …" : "");
    }
}

/// <summary>Thrown when a checkpoint does not fit the learner: another architecture, head, or class list.</summary>
public sealed class CheckpointMismatchException(string message) : InvalidOperationException(message);
