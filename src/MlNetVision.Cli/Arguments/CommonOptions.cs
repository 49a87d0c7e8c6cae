using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using MlNetVision.Data;
using MlNetVision.Models;
using MlNetVision.Native;

namespace MlNetVision.Cli.Arguments;

/// <summary>Builds the options several commands share, each with its default and its range check.</summary>
public static class CommonOptions
{
    /// <summary>The default architecture: ML.NET's own pretrained ResNet18 (the only one with weights shipped in a package).</summary>
    public const string DefaultArchitecture = "resnet18-mlnet";

    /// <summary>The optional data argument: a folder of class folders (or ImageNet-style train/valid), or a CSV of file,label.</summary>
    public static Argument<string?> DataArgument(string description)
    {
        var argument = new Argument<string?>("data")
        {
            Description = description,
            Arity = ArgumentArity.ZeroOrOne,
        };
        // An optional argument swallows a mistyped option ("--epoch 3"): say so instead of "data not found".
        argument.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && r.Tokens[0].Value is { } v && v.StartsWith('-') && !Path.Exists(v))
                r.AddError($"Unrecognized command or argument '{v}'.");
        });
        return argument;
    }

    /// <summary><c>--arch</c>: one of the architecture table's names.</summary>
    public static Option<string> Arch()
    {
        var names = Architectures.All.Select(a => a.Name).ToArray();
        var option = new Option<string>("--arch")
        {
            Description = $"Backbone architecture: {string.Join(", ", names)}. Only {DefaultArchitecture} has pretrained weights shipped; give the others torchvision's with --weights, or they train from scratch (with a warning).",
            DefaultValueFactory = _ => DefaultArchitecture,
            HelpName = "name",
        };
        option.AcceptOnlyFromAmong(names);
        return option;
    }

    // Backbone weights, device and memory.

    /// <summary><c>--weights</c>: a torchvision state dict (.pth or .safetensors) for the backbone.</summary>
    public static Option<string?> Weights()
    {
        var option = new Option<string?>("--weights")
        {
            Description = "torchvision weights for the backbone: the .pth file torchvision publishes (e.g. resnet50-0676ba61.pth for --arch resnet50) or a .safetensors state dict. The network then starts frozen, as with shipped weights. Nothing is downloaded.",
            HelpName = "file",
        };
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && !File.Exists(r.Tokens[0].Value))
                r.AddError($"--weights: the file '{r.Tokens[0].Value}' does not exist.");
        });
        return option;
    }

    /// <summary><c>--device</c>: cpu, cuda, cuda:N or auto.</summary>
    public static Option<string> Device()
    {
        var option = new Option<string>("--device")
        {
            Description = $"Where training computes: {ComputeDevice.Forms} (auto: CUDA when available, else the CPU; the choice is printed).",
            DefaultValueFactory = _ => ComputeDevice.Auto,
            HelpName = "cpu|cuda|cuda:N|auto",
        };
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && ComputeDevice.Validate(r.Tokens[0].Value) is { } error) r.AddError($"--device: {error}");
        });
        return option;
    }

    /// <summary><c>--auto-batch-size</c>: halve the batch and restart the epoch when a batch does not fit in memory.</summary>
    public static Option<bool> AutoBatchSize() => new("--auto-batch-size")
    {
        Description = "When a batch does not fit in memory, halve --bs and restart the epoch from the weights before it (down to 2).",
    };

    /// <summary><c>--size</c>: the square image size fed to the network.</summary>
    public static Option<int> Size() => IntOption("--size", "Image size in pixels (square); images are resized to it.", ImageDataBunchOptions.DefaultSize, 32, 1024, "pixels");

    /// <summary><c>--bs</c>: the batch size.</summary>
    public static Option<int> BatchSize() => IntOption("--bs", "Batch size (lower it if memory runs out).", ImageDataBunchOptions.DefaultBatchSize, 2, 4096, "n");

    /// <summary><c>--valid-pct</c>: the share of images held out for validation when the folder has no valid/ split.</summary>
    public static Option<double> ValidPct()
    {
        var option = new Option<double>("--valid-pct")
        {
            Description = "Share of the images held out for validation when the data has no valid/ folder (0 < x < 1).",
            DefaultValueFactory = _ => ImageDataBunchOptions.DefaultValidPct,
            HelpName = "fraction",
        };
        option.Validators.Add(r =>
        {
            if (!TryGet<double>(r, out var v)) return;
            if (!(v > 0 && v < 1)) r.AddError($"--valid-pct must be between 0 and 1 (exclusive), got {v.ToString(CultureInfo.InvariantCulture)}.");
        });
        return option;
    }

    /// <summary><c>--seed</c>: seeds the split, the shuffling, augmentation and the head's initial weights.</summary>
    public static Option<int> Seed() => new("--seed")
    {
        Description = "Random seed for the split, shuffling, augmentation and initial weights (same seed, same result on CPU).",
        DefaultValueFactory = _ => ImageDataBunchOptions.DefaultSeed,
        HelpName = "n",
    };

    /// <summary><c>--out</c>: the output folder.</summary>
    public static Option<string> Out(string description, string defaultValue = "./model") => new("--out", "-o")
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        HelpName = "folder",
    };

    /// <summary>An integer option with a default and an inclusive range.</summary>
    public static Option<int> IntOption(string name, string description, int defaultValue, int min, int max, string helpName)
    {
        var option = new Option<int>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            HelpName = helpName,
        };
        option.Validators.Add(r =>
        {
            if (!TryGet<int>(r, out var v)) return;
            if (v < min || v > max) r.AddError($"{name} must be between {min} and {max}, got {v}.");
        });
        return option;
    }

    /// <summary>A positive double option (a learning rate) with a default.</summary>
    public static Option<double> PositiveDouble(string name, string description, double defaultValue, string helpName)
    {
        var option = new Option<double>(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            HelpName = helpName,
        };
        option.Validators.Add(r =>
        {
            if (!TryGet<double>(r, out var v)) return;
            if (!(v > 0) || !double.IsFinite(v)) r.AddError($"{name} must be a positive number, got {v.ToString(CultureInfo.InvariantCulture)}.");
        });
        return option;
    }

    /// <summary>
    /// An optional number (off when absent) whose range is the library's: <paramref name="check"/> builds what the value
    /// configures and its <see cref="ArgumentException"/> becomes the option's error.
    /// </summary>
    public static Option<T?> Optional<T>(string name, string description, string helpName, Action<T> check) where T : struct
    {
        var option = new Option<T?>(name) { Description = description, HelpName = helpName };
        option.Validators.Add(r =>
        {
            if (!TryGet<T?>(r, out var v) || v is not { } value) return;
            try
            {
                check(value);
            }
            catch (ArgumentException e)
            {
                r.AddError($"{name}: {e.Message.Split(" (Parameter")[0]}");
            }
        });
        return option;
    }

    /// <summary><c>--lr</c>: auto, a value or a range, parsed by <see cref="Training.LearningRate.Parse"/>.</summary>
    public static Option<Training.LearningRate> LearningRate() => new("--lr")
    {
        Description = "Learning rate of the unfrozen phase: auto (run the LR finder), a value v (slice(v): v/10 for the body, v for the head) or a range lo:hi (slice(lo, hi)).",
        DefaultValueFactory = _ => Training.LearningRate.Auto,
        HelpName = "auto|v|lo:hi",
        CustomParser = ParseLearningRate,
    };

    // A value that did not convert already has its own parse error; the range check must not throw on it.
    private static bool TryGet<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    private static Training.LearningRate ParseLearningRate(ArgumentResult result)
    {
        if (result.Tokens.Count == 0) return Training.LearningRate.Auto;
        if (Training.LearningRate.TryParse(result.Tokens[0].Value, out var rate, out var error)) return rate;
        result.AddError($"--lr {error}");
        return Training.LearningRate.Auto;
    }
}
