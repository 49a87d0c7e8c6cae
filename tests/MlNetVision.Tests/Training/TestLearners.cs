using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Training;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Training;

/// <summary>The learners the training tests create, and how they compare weights: one definition for every test folder under Training/.</summary>
internal static class TestLearners
{
    /// <summary>A tiny bunch of <paramref name="path"/> (32 px, batches of 16), as the learner tests use it.</summary>
    public static ImageDataBunch Tiny(string path, int seed = 42) => FashionSample.Bunch(path, size: 32, batchSize: 16, seed: seed);

    /// <summary>ML.NET's ResNet18 learner on <paramref name="data"/>, silent (no epoch table).</summary>
    public static Learner Create(ImageDataBunch data, bool pretrained = true, LearnerOptions? options = null)
    {
        options ??= new LearnerOptions();
        options.Pretrained = pretrained;
        options.ProgressWriter = null;
        return VisionLearner.Create(data, Architectures.ResNet18MlNet, options);
    }

    /// <summary>Every float32 tensor of the learner's model state, by name.</summary>
    public static Dictionary<string, float[]> Weights(Learner learn) => Weights(learn.Model);

    /// <summary>Every float32 tensor of <paramref name="model"/>'s state, by name.</summary>
    public static Dictionary<string, float[]> Weights(VisionModel model) =>
        model.state_dict().Where(kv => kv.Value.dtype == ScalarType.Float32)
            .ToDictionary(kv => kv.Key, kv => kv.Value.data<float>().ToArray());

    /// <summary>Asserts the same tensor names with bit-identical values.</summary>
    public static void AssertSameWeights(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected) Assert.True(values.AsSpan().SequenceEqual(actual[name]), $"{name} differs");
    }
}
