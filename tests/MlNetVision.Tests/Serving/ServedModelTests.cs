using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using WebApi;

namespace MlNetVision.Tests.Serving;

public class ServedModelTests
{
    private sealed class PathAndLabel
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    [Fact]
    public void Should_ServeTheStepsAfterLoadImagesUnderItsOutputName_When_TheModelReadsPaths()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Array.Empty<PathAndLabel>());
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("__image", null, "ImagePath"))
            .Append(ml.Transforms.ResizeImages("__image", 16, 16, "__image"))
            .Append(ml.Transforms.ExtractPixels("pixels", "__image"))
            .Fit(data);

        var (column, scorer) = ServedModel.FromImageColumn(model, data.Schema);

        Assert.Equal("__image", column);
        Assert.Collection(scorer, s => Assert.IsType<ImageResizingTransformer>(s), s => Assert.IsType<ImagePixelExtractingTransformer>(s));
        AssertScoresAnImage(ml, scorer, column);
    }

    [Fact]
    public void Should_ServeFromTheFirstImageStepOnTheModelsOwnColumn_When_TheModelTakesMLImages()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Array.Empty<ImageRow>(), ImageRow.Schema("Photo"));
        var model = ml.Transforms.ResizeImages("resized", 16, 16, "Photo")
            .Append(ml.Transforms.ExtractPixels("pixels", "resized"))
            .Fit(data);

        var (column, scorer) = ServedModel.FromImageColumn(model, data.Schema);

        Assert.Equal("Photo", column);
        Assert.Equal(2, scorer.Count());
        AssertScoresAnImage(ml, scorer, column);
    }

    [Fact]
    public void Should_RefuseTheModel_When_ItHasNoImageStep()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Array.Empty<PathAndLabel>());
        var model = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data);
        var error = Assert.Throws<InvalidDataException>(() => ServedModel.FromImageColumn(model, data.Schema));
        Assert.Contains("does not score images", error.Message);
    }

    /// <summary>The served chain turns an in-memory image into 3 × 16 × 16 pixel values: red stays red.</summary>
    private static void AssertScoresAnImage(MLContext ml, ITransformer scorer, string column)
    {
        var bgra = Enumerable.Range(0, 20 * 12).SelectMany(_ => new byte[] { 0, 0, 255, 255 }).ToArray();
        using var image = MLImage.CreateFromPixels(20, 12, MLPixelFormat.Bgra32, bgra);
        var view = ml.Data.LoadFromEnumerable([new ImageRow { Image = image }], ImageRow.Schema(column));
        var pixels = scorer.Transform(view).GetColumn<VBuffer<float>>("pixels").Single().DenseValues().ToArray();
        Assert.Equal(3 * 16 * 16, pixels.Length);
        Assert.All(pixels[..256], p => Assert.Equal(255f, p));   // planar: red first
        Assert.All(pixels[256..], p => Assert.Equal(0f, p));
    }
}
