using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Native;
using MlNetVision.Onnx;
using MlNetVision.Tests.MlNet;
using MlNetVision.Training;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Onnx;

public class LearnerOnnxExtensionsTests
{
    public LearnerOnnxExtensionsTests() => NativeBackend.EnsureLoaded();

    [Fact]
    public void Should_WriteUnderTheDataPathWithTheClasses_When_ALearnerExports()
    {
        var rows = SampleData.Rows("train", ["sandal", "bag", "coat"], perClass: 6);
        using var dir = new TempFolder("export");
        using var data = ImageDataBunch.FromLists(dir, rows.Select(r => r.ImagePath), rows.Select(r => r.Label),
            new ImageDataBunchOptions { Size = 32, BatchSize = 4, ValidPct = 0.25, Log = TextWriter.Null });
        using var learner = VisionLearner.Create(data, Architectures.ResNet18, new LearnerOptions { Pretrained = false, ProgressWriter = null });
        learner.Fit(1, 1e-3);

        var path = learner.ExportOnnx();
        Assert.Equal(Path.Combine(dir, "export.onnx"), path);
        using var session = new InferenceSession(path);
        Assert.Equal(string.Join('\n', learner.Classes), session.ModelMetadata.CustomMetadataMap["class_names"]);
        Assert.Equal(["bag", "coat", "sandal"], learner.Classes);

        using var scope = NewDisposeScope();
        var images = OnnxExporterTests.RealImages(32);
        learner.Model.eval();
        float[] expected;
        using (no_grad()) expected = nn.functional.softmax(learner.Model.forward(images), 1).data<float>().ToArray();
        var input = new DenseTensor<float>(images.mul(255f).contiguous().data<float>().ToArray(), images.shape.Select(d => (int)d).ToArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("pixels", input)]);
        var actual = results.Single(r => r.Name == "probabilities").AsEnumerable<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.True(expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max() <= 1e-4f);
    }
}
