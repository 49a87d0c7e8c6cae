using System.Text.RegularExpressions;
using MlNetVision.Interpretation;
using MlNetVision.Rendering;
using MlNetVision.Tests.Interpretation;
using SkiaSharp;

namespace MlNetVision.Tests.Rendering;

public sealed partial class HtmlReportTests : IDisposable
{
    private readonly TempFolder _folder = new("interp-html");

    public void Dispose()
    {
        _folder.Dispose();
    }

    // Runs before the report's content-security policy is parsed, so the policy still governs every image;
    // after the load event it writes each image's natural width and a summary into the DOM.
    internal const string ImageCheckScript = """
        <script>
        window.addEventListener('load', function () {
          var images = document.images, loaded = 0;
          for (var i = 0; i < images.length; i++) {
            images[i].setAttribute('data-natural-width', String(images[i].naturalWidth));
            if (images[i].complete && images[i].naturalWidth > 0) loaded++;
          }
          document.body.setAttribute('data-images', images.length + '/' + loaded);
        });
        </script>
        """;

    private TrainingReport FullReport(TinyTrainingRun run) => new()
    {
        Title = "Shapes: softmax regression",
        Summary =
        [
            new("Data", _folder),
            new("Classes", string.Join(", ", ShapeImages.Classes)),
            new("Training items", run.TrainCount.ToString()),
            new("Validation items", run.Interpretation.Count.ToString()),
        ],
        Epochs = run.Epochs,
        LossPlot = run.LossPlot,
        LearningRatePlot = run.LearningRatePlot,
        LrFinderPlot = run.LrFinderPlot,
        Interpretation = run.Interpretation,
    };

    [Fact]
    public void Should_LoadEveryEmbeddedImageInHeadlessChromium_When_ReportOpensFromDisk()
    {
        var chromium = HeadlessChromium.Executable(); // fails naming the Debian package when absent
        var run = TinyTrainingRun.Run(Path.Combine(_folder, "data"));
        var path = HtmlReport.Save(FullReport(run), Path.Combine(_folder, "report", "report.html"), new HtmlReportOptions { TopLosses = 6 });

        var html = File.ReadAllText(path);
        var widths = ImgWidths().Matches(html).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal(5, widths.Count); // loss, learning rate, LR finder, confusion matrix, top losses

        // The probe adds one picture referenced by file path instead of embedded: the report's policy (data: images
        // only) must block it, so 5 of the 6 images load.
        var outside = Path.Combine(_folder, "report", "outside.png");
        File.WriteAllBytes(outside, run.LossPlot);
        var probe = Path.Combine(_folder, "report", "probe.html");
        File.WriteAllText(probe, html.Replace("<head>\n", "<head>\n" + ImageCheckScript + "\n").Replace("</body>", "<img src=\"outside.png\">\n</body>"));
        var dom = HeadlessChromium.DumpDom(probe);
        Assert.Contains("data-images=\"6/5\"", dom);
        var natural = NaturalWidths().Matches(dom).Select(m => int.Parse(m.Groups[1].Value)).ToList();
        Assert.Equal([.. widths, 0], natural);

        var shot = Path.Combine(_folder, "report", "screenshot.png");
        HeadlessChromium.Screenshot(path, shot, 1200, 1600);
        using var screenshot = SKBitmap.Decode(shot);
        Assert.Equal(1200, screenshot.Width);
        Assert.Equal(1600, screenshot.Height);
        // The first screen holds the summary, the epoch table and the plots: much of it is not background white.
        int inked = 0;
        for (int y = 0; y < 1600; y += 4)
            for (int x = 0; x < 1200; x += 4)
                if (screenshot.GetPixel(x, y).Red < 200) inked++;
        Assert.True(inked > 1000, $"expected the page to be drawn, found {inked} sampled dark pixels");
    }

    [Fact]
    public void Should_HaveEverySectionAndNoExternalReference_When_AllDataIsGiven()
    {
        var interp = HandCountedCase.Create(ItemImageSource.FromDelegate(8, i =>
        {
            using var b = new SKBitmap(32, 32);
            b.Erase(new SKColor((byte)(i * 30), 80, 160));
            using var encoded = b.Encode(SKEncodedImageFormat.Png, 100);
            return encoded.ToArray();
        }, i => $"/data/item{i}.png"));
        var png = ConfusionMatrixPlot.Render(interp);
        var html = HtmlReport.Render(new TrainingReport
        {
            Summary = [new("Classes", "cat, dog, bird")],
            Epochs = [new EpochRow(0, 1.25, 0.75, [new MetricValue("error_rate", 0.5)], TimeSpan.FromSeconds(65))],
            LossPlot = png,
            LearningRatePlot = png,
            LrFinderPlot = png,
            Interpretation = interp,
            ExtraImages = [new ReportImage("Batch", png, "A batch")],
        });

        foreach (var id in new[] { "summary", "epochs", "plots", "lr-finder", "confusion", "most-confused", "per-class", "top-losses", "more" })
            Assert.Contains($"<section id=\"{id}\">", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<link", html);
        Assert.All(SrcAttributes().Matches(html), m => Assert.StartsWith("data:image/png;base64,", m.Groups[1].Value));
        Assert.Contains("<td>0</td><td>1.250000</td><td>0.750000</td><td>0.500000</td><td>01:05</td>", html);
        Assert.Contains("<td class=\"text\">cat</td><td class=\"text\">dog</td><td>2</td>", html);
        Assert.Contains("<td class=\"text\">bird</td><td>1.0000</td><td>0.5000</td><td>0.6667</td><td>2</td>", html);
        Assert.Contains("<td class=\"text\">item7.png</td><td class=\"text\">dog</td><td class=\"text\">bird</td><td>2.9957</td><td>0.0500</td>", html);
        Assert.Contains("8 items, accuracy 0.5000", html);
    }

    [Fact]
    public void Should_LeaveSectionsOut_When_DataIsAbsent()
    {
        var html = HtmlReport.Render(new TrainingReport { Summary = [new("Data", "x")] });
        Assert.Contains("<section id=\"summary\">", html);
        Assert.DoesNotContain("<section id=\"epochs\">", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("This report has no data.", HtmlReport.Render(new TrainingReport()));
    }

    [Fact]
    public void Should_Throw_When_PictureIsNotPng()
    {
        var ex = Assert.Throws<ArgumentException>(() => HtmlReport.Render(new TrainingReport { LossPlot = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4, 5, 6] }));
        Assert.Contains("not PNG", ex.Message);
    }

    [Fact]
    public void Should_HaveDocumentedDefaults_When_ReportAndOptionsAreNew()
    {
        var o = new HtmlReportOptions();
        Assert.Equal((9, 9), (o.TopLosses, HtmlReportOptions.DefaultTopLosses));
        Assert.Equal((1, 1), (o.MostConfusedMinVal, HtmlReportOptions.DefaultMostConfusedMinVal));
        Assert.False(o.NormalizeConfusionMatrix);
        // The nested layouts are fresh defaults, not shared between options objects.
        Assert.Equal((TopLossesPlotOptions.DefaultImageSize, TopLossesPlotOptions.DefaultGap, true), (o.TopLossesPlot.ImageSize, o.TopLossesPlot.Gap, o.TopLossesPlot.Largest));
        Assert.Equal((ConfusionMatrixPlotOptions.DefaultCellSize, false), (o.ConfusionMatrixPlot.CellSize, o.ConfusionMatrixPlot.Normalize));
        o.TopLossesPlot.ImageSize = 50;
        Assert.Equal(224, new HtmlReportOptions().TopLossesPlot.ImageSize);

        // What the defaults draw: up to 9 top losses (8 items here → 3 × 3 cells of 224 px), every confused pair
        // (min count 1) and the confusion matrix in counts, byte for byte what ConfusionMatrixPlot draws by default.
        var interp = HandCountedCase.Create(ItemImageSource.FromEncodedBytes(Enumerable.Range(0, 8).Select(i => Png(24, 24)).ToList()));
        var html = HtmlReport.Render(new TrainingReport { Interpretation = interp });
        Assert.Contains($"alt=\"Top losses\" width=\"{3 * 224 + 4 * 12}\" height=\"{36 + 3 * (44 + 224) + 4 * 12}\"", html);
        Assert.Contains(Convert.ToBase64String(ConfusionMatrixPlot.Render(interp)), html);
        var mostConfused = html[html.IndexOf("<section id=\"most-confused\">", StringComparison.Ordinal)..html.IndexOf("<section id=\"per-class\">", StringComparison.Ordinal)];
        Assert.Equal(interp.MostConfused(1).Count, Regex.Matches(mostConfused, "<tr>").Count - 1);
        Assert.Equal(8, Regex.Matches(html[html.IndexOf("<section id=\"top-losses\">", StringComparison.Ordinal)..], "<tr>").Count - 1);
        var r = new TrainingReport();
        Assert.Equal("Training report", r.Title);
        Assert.Empty(r.Summary);
        Assert.Empty(r.Epochs);
        Assert.Null(r.LossPlot);
        Assert.Null(r.LearningRatePlot);
        Assert.Null(r.LrFinderPlot);
        Assert.Null(r.Interpretation);
        Assert.Empty(r.ExtraImages);
    }

    private static byte[] Png(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(SKColors.SlateGray);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    [GeneratedRegex("<img [^>]*width=\"(\\d+)\"")]
    private static partial Regex ImgWidths();

    [GeneratedRegex("data-natural-width=\"(\\d+)\"")]
    private static partial Regex NaturalWidths();

    [GeneratedRegex("src=\"([^\"]*)\"")]
    private static partial Regex SrcAttributes();
}
