// fast.ai lesson 1 ("what's your pet"), step by step in C#. Each step carries the fastai v1 Python line it mirrors.
// Default data: the committed Fashion-MNIST sample (10 classes, 100 train + 30 valid images each) at 64 px, so the
// whole lesson runs in a few minutes on a CPU. With these defaults the unfrozen stage beats stage 1 (measured: see
// docs/LEARNER.md, "Lesson 1 on the shipped sample"); the output says so either way. Pass a folder (train/ and valid/ with one folder per class, or one
// folder of class folders) to run it on your own images:  dotnet run --project samples/Lesson1 -- /path/to/images [size] [unfrozen-lr]
// (unfrozen-lr: auto, the default, or a value or lo:hi range as the CLI's --lr takes, e.g. 1e-6:1e-4 for the lesson's fixed slice).
using System.Globalization;
using MlNetVision.Data;
using MlNetVision.Interpretation;
using MlNetVision.Models;
using MlNetVision.Rendering;
using MlNetVision.Training;

var path = args.Length > 0 ? args[0] : SampleData.Find("pass a folder of images as the first argument.");
var size = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
var unfrozenChoice = args.Length > 2 ? LearningRate.Parse(args[2]) : LearningRate.Auto;

// data = ImageDataBunch.from_folder(path, ds_tfms=get_transforms(), size=224, bs=64).normalize(imagenet_stats)
// (Normalisation lives in the model here: each architecture carries its own statistics.)
using var data = ImageDataBunch.FromFolder(path, new ImageDataBunchOptions { Size = size, BatchSize = 64, Seed = 42 });
Console.WriteLine(data);

// data.show_batch(rows=3, figsize=(7,6))
Console.WriteLine($"Batch preview: {data.ShowBatch(Path.Combine(data.Path, "models", "show_batch.png"), rows: 3)}");

// learn = cnn_learner(data, models.resnet34, metrics=error_rate)
// ResNet18MlNet is the ImageNet-trained ResNet18 that ships offline in ML.NET's DnnImageFeaturizer package.
using var learn = VisionLearner.Create(data, Architectures.ResNet18MlNet);

// learn.fit_one_cycle(4)
Console.WriteLine("\nStage 1: train the head (body frozen)");
learn.FitOneCycle(4);
var stage1 = learn.Recorder.Epochs[^1];

// learn.save('stage-1')
Console.WriteLine($"Saved {learn.Save("stage-1")}");

// learn.unfreeze()
learn.Unfreeze();

// learn.lr_find()
Console.WriteLine("\nLearning-rate finder (weights are restored afterwards)");
var lrFind = learn.LrFind();

// learn.recorder.plot()
var lrPlot = RecorderPlots.LrFind(lrFind, Path.Combine(learn.ModelDirectory, "lr_find.png"));
Console.WriteLine($"Suggested learning rate (valley): {lrFind.Suggested:0.##e+0}, steepest: {lrFind.Steepest:0.##e+0}, min/10: {lrFind.MinimumDiv10:0.##e+0}");
Console.WriteLine($"Plot: {lrPlot}");

// learn.fit_one_cycle(2, max_lr=slice(1e-6,1e-4)) -- the lesson reads the slice off the plot; here the recipe's rule does:
// the valley, capped at a tenth of stage 1's rate, spread 100x over the layer groups (FineTuneRecipe.ChooseRate).
var unfrozenLr = unfrozenChoice.IsAuto ? FineTuneRecipe.ChooseRate(lrFind, LearningRate.Default).Rate : unfrozenChoice;
Console.WriteLine($"\nStage 2: fine-tune everything with discriminative learning rates, fit_one_cycle(2, {unfrozenLr})");
learn.FitOneCycle(2, unfrozenLr);
var stage2 = learn.Recorder.Epochs[^1];
var bestStage1Error = learn.Recorder.FitHistory[0].Min(e => e["error_rate"]);
Console.WriteLine($"Stage 2 vs the end of stage 1: valid_loss {stage2.ValidLoss:F4} vs {stage1.ValidLoss:F4}, error_rate {stage2["error_rate"]:F4} vs " +
    $"{stage1["error_rate"]:F4} (best of stage 1: {bestStage1Error:F4}): " +
    (stage2.ValidLoss < stage1.ValidLoss ? "unfreezing improved on stage 1." : "unfreezing did NOT improve on stage 1."));

// learn.recorder.plot_losses()
Console.WriteLine($"Loss plot: {learn.Recorder.PlotLosses(Path.Combine(learn.ModelDirectory, "losses.png"))}");

// learn.save('stage-2')
Console.WriteLine($"Saved {learn.Save("stage-2")}");

// interp = ClassificationInterpretation.from_learner(learn)
var interp = ClassificationInterpretation.FromLearner(learn);
// interp.most_confused(min_val=2)
Console.Write(InterpretationTextTables.MostConfused(interp, minVal: 2));
// interp.plot_top_losses(9, figsize=(15,11)); interp.plot_confusion_matrix(figsize=(12,12), dpi=60)
Console.WriteLine($"Top losses: {interp.PlotTopLosses(9, Path.Combine(learn.ModelDirectory, "top_losses.png"))}");
Console.WriteLine($"Confusion matrix: {interp.PlotConfusionMatrix(Path.Combine(learn.ModelDirectory, "confusion_matrix.png"))}");
// One self-contained HTML file with all of the above
Console.WriteLine($"Report: {HtmlReport.Save(TrainingReport.FromLearner(learn, lrFind, interp), Path.Combine(learn.ModelDirectory, "report.html"))}");

