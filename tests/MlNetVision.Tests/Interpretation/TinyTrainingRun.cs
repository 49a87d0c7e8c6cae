using System.Diagnostics;
using MlNetVision.Interpretation;
using MlNetVision.Rendering;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Interpretation;

/// <summary>
/// A real, tiny training run for report tests: softmax regression on thumbnails of drawn shapes, trained with SGD
/// on a one-cycle schedule, with an LR sweep first. It yields everything a training report shows.
/// </summary>
internal sealed class TinyTrainingRun
{
    public required IReadOnlyList<EpochRow> Epochs { get; init; }
    public required byte[] LossPlot { get; init; }
    public required byte[] LearningRatePlot { get; init; }
    public required byte[] LrFinderPlot { get; init; }
    public required ClassificationInterpretation Interpretation { get; init; }
    public required int TrainCount { get; init; }

    public static TinyTrainingRun Run(string folder)
    {
        MlNetVision.Native.NativeBackend.EnsureLoaded();
        torch.manual_seed(3);
        var train = ShapeImages.Write(Path.Combine(folder, "train"), perClass: 16, seed: 11);
        var valid = ShapeImages.Write(Path.Combine(folder, "valid"), perClass: 6, seed: 12);
        var (xTrain, yTrain) = (train.SelectMany(t => ShapeImages.Features(t.Path)).ToArray(), train.Select(t => (long)t.Label).ToArray());
        var (xValid, yValid) = (valid.SelectMany(t => ShapeImages.Features(t.Path)).ToArray(), valid.Select(t => (long)t.Label).ToArray());
        const int features = 144, classes = 3, batch = 8, epochs = 5;

        // LR finder: exponentially growing learning rate on a fresh model, stopped when the loss explodes.
        var finderLrs = new List<double>();
        var finderLosses = new List<double>();
        using (var model = nn.Linear(features, classes))
        {
            var sgd = optim.SGD(model.parameters(), 1e-4, momentum: 0.9);
            double best = double.MaxValue;
            for (int step = 0; step < 60; step++)
            {
                double lr = 1e-4 * Math.Pow(1e5, step / 59.0);
                sgd.ParamGroups.First().LearningRate = lr;
                using var scope = NewDisposeScope();
                int start = step * batch % train.Count;
                float loss = Step(model, sgd, xTrain, yTrain, start, batch, features);
                finderLrs.Add(lr);
                finderLosses.Add(loss);
                best = Math.Min(best, loss);
                if (loss > 4 * best || float.IsNaN(loss)) break;
            }
        }

        using var net = nn.Linear(features, classes);
        var opt = optim.SGD(net.parameters(), 0.1, momentum: 0.9);
        int batchesPerEpoch = (train.Count + batch - 1) / batch, total = epochs * batchesPerEpoch, iteration = 0;
        var lrs = new List<double>();
        var trainLosses = new List<double>();
        var validPoints = new List<DataPoint>();
        var rows = new List<EpochRow>();
        var shuffle = new Random(5);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var order = Enumerable.Range(0, train.Count).OrderBy(_ => shuffle.Next()).ToArray();
            var xs = order.SelectMany(i => xTrain.AsSpan(i * features, features).ToArray()).ToArray();
            var ys = order.Select(i => yTrain[i]).ToArray();
            double smooth = 0;
            for (int b = 0; b < batchesPerEpoch; b++, iteration++)
            {
                double pct = iteration / (double)total;
                const double maxLr = 0.1;
                double lr = pct < 0.25 ? maxLr / 10 + (maxLr - maxLr / 10) * (1 - Math.Cos(Math.PI * pct / 0.25)) / 2
                                       : maxLr * (1 + Math.Cos(Math.PI * (pct - 0.25) / 0.75)) / 2 + 1e-6;
                opt.ParamGroups.First().LearningRate = lr;
                using var scope = NewDisposeScope();
                float loss = Step(net, opt, xs, ys, b * batch, batch, features);
                smooth = iteration == 0 ? loss : 0.9 * smooth + 0.1 * loss;
                lrs.Add(lr);
                trainLosses.Add(smooth);
            }
            using (var scope = NewDisposeScope())
            using (no_grad())
            {
                var logits = net.forward(tensor(xValid, [valid.Count, features]));
                var target = tensor(yValid);
                double validLoss = nn.functional.cross_entropy(logits, target).ToSingle();
                double accuracy = logits.argmax(1).eq(target).to_type(ScalarType.Float32).mean().ToSingle();
                validPoints.Add(new DataPoint(iteration, validLoss));
                rows.Add(new EpochRow(epoch, smooth, validLoss, [new MetricValue("error_rate", 1 - accuracy), new MetricValue("accuracy", accuracy)], clock.Elapsed));
            }
        }

        float[][] probabilities;
        float[] losses;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            var logits = net.forward(tensor(xValid, [valid.Count, features]));
            var flat = nn.functional.softmax(logits, 1).data<float>().ToArray();
            probabilities = Enumerable.Range(0, valid.Count).Select(i => flat.AsSpan(i * classes, classes).ToArray()).ToArray();
            losses = nn.functional.cross_entropy(logits, tensor(yValid), reduction: nn.Reduction.None).data<float>().ToArray();
        }
        var interpretation = ClassificationInterpretation.FromPredictions(ShapeImages.Classes, probabilities,
            valid.Select(v => v.Label).ToArray(), losses, ItemImageSource.FromPaths(valid.Select(v => v.Path).ToList()));

        return new TinyTrainingRun
        {
            Epochs = rows,
            LossPlot = PlotPng.Render(LossModel(trainLosses, validPoints), 560, 360),
            LearningRatePlot = PlotPng.Render(LineModel("Learning rate", "iteration", "learning rate", lrs.Select((v, i) => new DataPoint(i, v)), logX: false), 560, 360),
            LrFinderPlot = PlotPng.Render(LineModel("LR finder", "learning rate", "loss", finderLrs.Zip(finderLosses, (x, y) => new DataPoint(x, y)), logX: true), 640, 400),
            Interpretation = interpretation,
            TrainCount = train.Count,
        };
    }

    private static float Step(nn.Module<Tensor, Tensor> model, optim.Optimizer opt, float[] x, long[] y, int start, int batch, int features)
    {
        int n = Math.Min(batch, y.Length - start);
        var input = tensor(x.AsSpan(start * features, n * features).ToArray(), [n, features]);
        var target = tensor(y.AsSpan(start, n).ToArray());
        opt.zero_grad();
        var loss = nn.functional.cross_entropy(model.forward(input), target);
        loss.backward();
        opt.step();
        return loss.ToSingle();
    }

    private static PlotModel LossModel(List<double> train, List<DataPoint> valid)
    {
        var model = LineModel("Losses", "iteration", "loss", train.Select((v, i) => new DataPoint(i, v)), logX: false);
        model.Series[0].Title = "train";
        var v = new LineSeries { Title = "valid", MarkerType = MarkerType.Circle };
        v.Points.AddRange(valid);
        model.Series.Add(v);
        model.Legends.Add(new Legend { LegendPosition = LegendPosition.TopRight });
        return model;
    }

    private static PlotModel LineModel(string title, string x, string y, IEnumerable<DataPoint> points, bool logX)
    {
        var model = new PlotModel { Title = title, Background = OxyColors.White };
        model.Axes.Add(logX ? new LogarithmicAxis { Position = AxisPosition.Bottom, Title = x } : new LinearAxis { Position = AxisPosition.Bottom, Title = x });
        model.Axes.Add(new LinearAxis { Position = AxisPosition.Left, Title = y });
        var series = new LineSeries();
        series.Points.AddRange(points);
        model.Series.Add(series);
        return model;
    }
}
