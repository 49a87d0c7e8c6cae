using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using MlNetVision.MlNet;
using MlNetVision.Native;
using MlNetVision.Tests.Data;
using SkiaSharp;

namespace MlNetVision.Tests.MlNet;

/// <summary>
/// A model trained from a bytes column reads an <see cref="MLImage"/> column of the same name, and scores the very
/// rows it was trained on through the shortest stock route docs/MLNET.md shows (bytes → <c>MLImage.CreateFromStream</c>).
/// </summary>
public class BytesColumnScoringTests
{
    public sealed class BytesRow
    {
        public string Label { get; set; } = "";
        public byte[] Image { get; set; } = [];
    }

    public sealed class ImageRow
    {
        public string Label { get; set; } = "";

        [ImageType(32, 32)]
        public MLImage? Image { get; set; }
    }

    [Fact]
    public void Should_ScoreTheTrainingBytesThroughMLImage_When_TrainedFromABytesColumn()
    {
        NativeBackend.EnsureLoaded();
        var rows = Enumerable.Range(0, 12).Select(i =>
        {
            using var bitmap = i % 2 == 0 ? ParityImages.Transparent(36, 30, i, soft: true) : ParityImages.Pattern(30, 36, i);
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            return new BytesRow { Label = i % 2 == 0 ? "icon" : "photo", Image = data.ToArray() };
        }).ToList();
        var ml = new MLContext(1);
        var bytes = ml.Data.LoadFromEnumerable(rows);
        // Fitted step by step: EstimatorChain.Fit would run the fitted model on the bytes rows, which it cannot read.
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(bytes);
        var scorer = ml.MulticlassClassification.Trainers.VisionClassifier(imageColumnName: "Image", frozenEpochs: 1, unfrozenEpochs: 0, imageSize: 32, batchSize: 4, seed: 1)
            .Fit(keyed.Transform(bytes));
        using var model = new TransformerChain<ITransformer>(keyed, scorer);

        // The shortest stock way from the bytes IDataView to something the model reads.
        var images = ml.Data.LoadFromEnumerable(ml.Data.CreateEnumerable<BytesRow>(bytes, reuseRowObject: false)
            .Select(r => new ImageRow { Label = r.Label, Image = MLImage.CreateFromStream(new MemoryStream(r.Image)) }).ToList());
        var scored = model.Transform(images);

        var metrics = ml.MulticlassClassification.Evaluate(scored);
        var scores = scored.GetColumn<float[]>("Score").ToList();
        Assert.Equal(rows.Count, scores.Count);
        Assert.All(scores, s => Assert.Equal(1f, s.Sum(), 3));
        // ML.NET's accuracy is the share of rows whose highest score is the label's slot (key k is slot k - 1).
        var labels = scored.GetColumn<uint>("Label").ToList();
        var right = scores.Select((s, i) => Array.IndexOf(s, s.Max()) == labels[i] - 1).Count(r => r);
        Assert.Equal((double)right / rows.Count, metrics.MicroAccuracy, 12);
        Assert.Contains(scores, s => Math.Abs(s[0] - s[1]) > 1e-3); // not a constant output
        var error = Assert.ThrowsAny<Exception>(() => model.Transform(bytes));
        Assert.Contains("expected image, got Vector<Byte>", error.Message); // the bytes column itself is refused by ResizeImages
    }
}
