using System.Diagnostics;
using System.Globalization;
using MlNetVision.Benchmarks.Measurement;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Training;
using MlNetVision.Training.Losses;

namespace MlNetVision.Benchmarks.Cases;

/// <summary>
/// Case 3: the lesson-1 recipe on Fashion-MNIST with the pretrained resnet18-mlnet — fit the head (frozen body),
/// unfreeze, LrFind, fit again with a learning-rate range — reporting the accuracy on the test images (Fashion-MNIST's
/// t10k file, served as the validation set: nothing is selected on it, LrFind reads training losses only) and the wall
/// time of each phase.
/// </summary>
internal static class AccuracyBenchmark
{
    private const string Help = """
        accuracy: lesson-1 recipe on Fashion-MNIST, pretrained resnet18-mlnet.
          --size N             image size (default 64)
          --batch N            batch size (default 64)
          --head-epochs N      one-cycle epochs with the body frozen (default 1)
          --epochs N           one-cycle epochs after unfreezing (default 4)
          --train-per-class N  training images per class, at most 6000 (default 6000: the full 60k)
          --test-per-class N   test images per class, at most 1000 (default 1000: the full 10k)
          --holdout N          choose settings without the test file: validate on N images per class held out from
                               the training file (after the first --train-per-class ones); the test file is not read
          --bf16               LearnerOptions.MixedPrecision: train in a bf16 copy with fp32 masters (default fp32)
          --label-smoothing X  LabelSmoothingCrossEntropy(X) as the loss (default 0: CrossEntropyFlat)
          --lr X               peak rate of the unfrozen fit's last group; default: LrFind's valley suggestion
                               (fastai v2's default), kept within [1e-4, 3e-3]; the range is slice(X/100, X), as
                               the lesson's slice(1e-6, 1e-4). The smoothed LrFind loss is printed at each decade
                               so a chosen --lr can be checked against the curve.
          --lr-div X           the range's spread: slice(lr/X, lr) (default 100, fastai's lr_mult)
          --arch A             architecture (default resnet18-mlnet, the one with pretrained weights)
          --max-rotate X, --max-zoom X, --max-warp X, --max-lighting X, --no-flip
                               fastai's get_transforms() arguments (defaults 10, 1.1, 0.2, 0.2, flip on)
          --prepare-only       write the PNG folder (once, reused later) and stop
        """;

    public static int Run(BenchmarkArguments args)
    {
        if (args.Help) { Console.WriteLine(Help); return 0; }
        int size = args.GetInt("size", 64), batch = args.GetInt("batch", 64);
        int headEpochs = args.GetInt("head-epochs", 1), epochs = args.GetInt("epochs", 4);
        int trainPerClass = args.GetInt("train-per-class", 6000), testPerClass = args.GetInt("test-per-class", 1000);
        int? holdout = args.Has("holdout") ? args.GetInt("holdout", 0) : null;
        var smoothing = args.GetDouble("label-smoothing", 0);
        var validName = holdout is null ? "test" : "held-out";
        var lrDiv = args.GetDouble("lr-div", 100);
        var arch = Architectures.Get(args.GetString("arch", Architectures.ResNet18MlNet.Name));
        var inv = CultureInfo.InvariantCulture;
        var defaults = TransformOptions.FastAiDefaults();
        var transforms = new TransformOptions
        {
            DoFlip = !args.Has("no-flip"),
            MaxRotate = (float)args.GetDouble("max-rotate", defaults.MaxRotate),
            MaxZoom = (float)args.GetDouble("max-zoom", defaults.MaxZoom),
            MaxWarp = (float)args.GetDouble("max-warp", defaults.MaxWarp),
            MaxLighting = (float)args.GetDouble("max-lighting", defaults.MaxLighting),
        };

        Console.WriteLine(string.Create(inv, $"Accuracy: {arch.Name} pretrained, Fashion-MNIST {trainPerClass * 10} train / {(holdout ?? testPerClass) * 10} {(holdout is null ? "test" : "held out from the training file (the test file is not read)")}, {size}x{size}, batch {batch}, " +
            $"{(args.Has("bf16") ? "MixedPrecision bf16, " : "")}label smoothing {smoothing}, fit head {headEpochs} epoch(s), unfreeze, LrFind, fit {epochs} epoch(s) with slice(lr/{lrDiv}, lr); " +
            $"get_transforms(do_flip={transforms.DoFlip}, max_rotate={transforms.MaxRotate}, max_zoom={transforms.MaxZoom}, max_lighting={transforms.MaxLighting}, max_warp={transforms.MaxWarp})."));
        var total = Stopwatch.StartNew();
        var root = holdout is { } h ? FashionMnistSubset.EnsureHoldout(trainPerClass, h) : FashionMnistSubset.Ensure(trainPerClass, testPerClass);
        var prepare = total.Elapsed;
        Console.WriteLine(string.Create(inv, $"PNG folder ready in {prepare.TotalSeconds:0.0} s: {root}   (load {LoadAverage.Read()})"));
        if (args.Has("prepare-only")) return 0;

        var phase = Stopwatch.StartNew();
        using var data = ImageDataBunch.FromFolder(root, new ImageDataBunchOptions { Size = size, BatchSize = batch, Seed = 42, Transforms = transforms });
        var decode = phase.Elapsed;
        Console.WriteLine(string.Create(inv, $"FromFolder: {data.Train.Count} train, {data.Valid.Count} {validName} images decoded and cached in {decode.TotalSeconds:0.0} s   (load {LoadAverage.Read()})"));

        using var learner = VisionLearner.Create(data, arch, new LearnerOptions { Seed = 42, MixedPrecision = args.Has("bf16"), Loss = smoothing > 0 ? new LabelSmoothingCrossEntropy(smoothing) : new CrossEntropyFlat() });
        // Memory through the whole recipe (issue 21): RSS, peak RSS and live tensors after every epoch.
        var memory = new MemoryAtScaleBenchmark.EpochProbe(trim: false);
        var training = Stopwatch.StartNew();
        phase.Restart();
        learner.FitOneCycle(headEpochs, callbacks: [memory]);
        var head = phase.Elapsed;
        var headAccuracy = 1 - learner.State.LastEpoch!["error_rate"];
        Console.WriteLine(string.Create(inv, $"after fitting the head: {validName} accuracy {headAccuracy:0.0000}, {head.TotalMinutes:0.0} min   (load {LoadAverage.Read()})"));

        learner.Unfreeze();
        phase.Restart();
        var find = learner.LrFind();
        var lrFind = phase.Elapsed;
        var lr = args.Has("lr") ? args.GetDouble("lr", 1e-3) : Math.Clamp(find.Valley ?? 1e-3, 1e-4, 3e-3);
        var curve = string.Join(", ", new[] { 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1 }
            .Where(r => find.LearningRates.Count > 0 && r <= find.LearningRates[^1] * 1.0001)
            .Select(r => string.Create(inv, $"{r:0e+0}: {find.LossAt(r):0.000}")));
        Console.WriteLine($"LrFind smoothed loss by learning rate: {curve}; last rate tried {Show(find.LearningRates.LastOrDefault())} ({find.StopReason ?? "all iterations"})");
        Console.WriteLine(string.Create(inv, $"LrFind: valley {Show(find.Valley)}, steepest {Show(find.Steepest)}, minimum/10 {Show(find.MinimumDiv10)}{(args.Has("lr") ? " (--lr given)" : "")}; using slice({lr / lrDiv:0.##e+0}, {lr:0.##e+0}); {lrFind.TotalSeconds:0} s   (load {LoadAverage.Read()})"));

        phase.Restart();
        learner.FitOneCycle(epochs, LearningRate.Slice(lr / lrDiv, lr), callbacks: [memory]);
        var fit = phase.Elapsed;
        var trainingTime = training.Elapsed;
        var accuracy = 1 - learner.State.LastEpoch!["error_rate"];
        Console.WriteLine();
        Console.WriteLine("| phase | minutes |");
        Console.WriteLine("| --- | --- |");
        Console.WriteLine(string.Create(inv, $"| write PNG folder (once) | {prepare.TotalMinutes:0.0} |"));
        Console.WriteLine(string.Create(inv, $"| FromFolder (decode, cache) | {decode.TotalMinutes:0.0} |"));
        Console.WriteLine(string.Create(inv, $"| fit head ({headEpochs} epochs) | {head.TotalMinutes:0.0} |"));
        Console.WriteLine(string.Create(inv, $"| LrFind | {lrFind.TotalMinutes:0.0} |"));
        Console.WriteLine(string.Create(inv, $"| fit unfrozen ({epochs} epochs) | {fit.TotalMinutes:0.0} |"));
        Console.WriteLine(string.Create(inv, $"| training total (head + LrFind + fit) | {trainingTime.TotalMinutes:0.0} |"));
        Console.WriteLine(string.Create(inv, $"| wall total | {total.Elapsed.TotalMinutes:0.0} |"));
        Console.WriteLine();
        var need = MemoryAtScaleBenchmark.Needs(learner, data, size, batch);
        var sum = need.Sum(n => n.Bytes);
        var peak = MemoryAtScaleBenchmark.PeakRss();
        Console.WriteLine(string.Create(inv, $"memory: needs {sum / 1048576.0:N1} MiB ({string.Join(", ", need.Select(n => $"{n.What} {n.Bytes / 1048576.0:N1}"))}); " +
            $"peak RSS {peak:N0} MiB = {peak * 1048576.0 / sum:0.00}x."));
        MemoryAtScaleBenchmark.PrintGrowth(memory, firstEpoch: headEpochs);
        Console.WriteLine(string.Create(inv, $"{validName} accuracy: {accuracy:0.0000} (after the head: {headAccuracy:0.0000}); training {trainingTime.TotalMinutes:0.0} min; load at end {LoadAverage.Read()}"));
        return 0;
    }

    private static string Show(double? lr) => lr is { } v ? v.ToString("0.##e+0", CultureInfo.InvariantCulture) : "none";
}
