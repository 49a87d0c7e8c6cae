using MlNetVision.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Interpretation;

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017) over the body's last feature map, as fastai v1's
/// <c>plot_top_losses(heatmap=True)</c> computes it: the feature maps <c>A = body(normalize(x))</c>, the gradient of
/// the chosen class's logit with respect to <c>A</c>, one weight per channel (the gradient's spatial mean), the map
/// <c>relu(Σ_k w_k · A_k)</c>, bilinearly upsampled to the input size and scaled to 0..1 (min to 0, max to 1).
/// </summary>
/// <remarks>
/// The model runs in eval mode (BatchNorm statistics, no dropout) and the pieces are called explicitly, so no module
/// hook is needed. The body runs without autograd; only the head is differentiated, with respect to <c>A</c> alone
/// (<c>torch.autograd.grad</c>), so no parameter gets a gradient and frozen parameters stay frozen. Every module's
/// train/eval state is restored afterwards, and every intermediate tensor is freed.
/// </remarks>
public static class GradCam
{
    /// <summary>Computes the heat map of each image for the given classes (the predicted ones when <paramref name="classes"/> is null).</summary>
    /// <param name="model">The network.</param>
    /// <param name="images">float32 <c>[B, 3, H, W]</c> (or one <c>[3, H, W]</c>), RGB in 0..1, as the loaders serve them; not modified.</param>
    /// <param name="classes">The class to explain for each image; null for each image's predicted class.</param>
    /// <returns>One map per image, in order.</returns>
    /// <exception cref="ArgumentException">The images are not <c>[B, 3, H, W]</c>, or the classes do not match them.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A class index is outside the model's classes.</exception>
    public static IReadOnlyList<HeatMap> Compute(VisionModel model, Tensor images, IReadOnlyList<int>? classes = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() == 3) images = images.unsqueeze(0);
        if (images.dim() != 4 || images.shape[1] != 3)
            throw new ArgumentException($"Expected images [B, 3, H, W], got [{string.Join(", ", images.shape)}].", nameof(images));
        int batch = (int)images.shape[0], height = (int)images.shape[2], width = (int)images.shape[3];
        if (classes is not null && classes.Count != batch)
            throw new ArgumentException($"{classes.Count} classes for {batch} images.", nameof(classes));
        foreach (var c in classes ?? [])
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)c, (uint)model.NumClasses, nameof(classes));

        var modes = TrainingModes(model);
        using var scope = NewDisposeScope();
        try
        {
            model.eval();
            var device = model.parameters().First().device;
            var x = images.detach().to(ScalarType.Float32).to(device);
            Tensor features;
            using (no_grad()) features = model.Body.call(model.Normalize.call(x));
            var a = features.detach().requires_grad_(true);
            Tensor logits, gradient;
            using (enable_grad())
            {
                logits = model.Head.call(a);
                var chosen = classes is null
                    ? logits.detach().argmax(1)
                    : tensor(classes.Select(c => (long)c).ToArray(), ScalarType.Int64, device);
                // Each image's score depends on its own features only (eval mode), so one backward pass serves the batch.
                var score = logits.gather(1, chosen.unsqueeze(1)).sum();
                gradient = autograd.grad([score], [a])[0];
            }
            using var noGrad = no_grad();
            var weights = gradient.mean([2, 3], keepdim: true);
            var cam = nn.functional.relu(weights.mul(a.detach()).sum(1, keepdim: true));
            var up = nn.functional.interpolate(cam, [height, width], mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
            var low = up.amin([1, 2], keepdim: true);
            var range = up.amax([1, 2], keepdim: true).sub(low);
            // A map with no spread (no positive evidence anywhere, or the same everywhere) is all zero, not 0/0.
            var scaled = up.sub(low).div(range.clamp_min(1e-12f)).mul(range.gt(0)).clamp(0, 1);

            var values = scaled.cpu().contiguous().data<float>().ToArray();
            var probabilities = nn.functional.softmax(logits.detach(), 1).cpu().contiguous().data<float>().ToArray();
            var pixels = x.clamp(0, 1).mul(255).round().to(ScalarType.Byte).permute(0, 2, 3, 1).cpu().contiguous().data<byte>().ToArray();
            var chosenClasses = classes?.ToArray() ?? logits.detach().argmax(1).cpu().data<long>().Select(c => (int)c).ToArray();
            int plane = height * width, c = model.NumClasses;
            var geometry = new HeatMapGeometry(height, width, (int)features.shape[2], (int)features.shape[3]);
            return Enumerable.Range(0, batch).Select(i => new HeatMap(geometry, values.AsSpan(i * plane, plane).ToArray(),
                pixels.AsSpan(i * plane * 3, plane * 3).ToArray(), chosenClasses[i], probabilities.AsSpan(i * c, c).ToArray())).ToArray();
        }
        finally
        {
            RestoreTrainingModes(model, modes);
        }
    }

    /// <summary>Computes the heat map of one image for <paramref name="classIndex"/> (the predicted class when null).</summary>
    /// <param name="model">The network.</param>
    /// <param name="image">float32 <c>[3, H, W]</c>, RGB in 0..1; not modified.</param>
    /// <param name="classIndex">The class to explain; null for the predicted class.</param>
    /// <returns>The map.</returns>
    /// <inheritdoc cref="Compute(VisionModel, Tensor, IReadOnlyList{int})"/>
    public static HeatMap Compute(VisionModel model, Tensor image, int? classIndex) =>
        Compute(model, image, classIndex is { } c ? [c] : null)[0];

    /// <summary>Every module's training flag, parents before children.</summary>
    private static List<(nn.Module Module, bool Training, int Depth)> TrainingModes(VisionModel model)
    {
        var modes = new List<(nn.Module, bool, int)> { (model, model.training, 0) };
        foreach (var (name, module) in model.named_modules())
            if (!string.IsNullOrEmpty(name)) modes.Add((module, module.training, 1 + name.Count(ch => ch == '.')));
        return modes;
    }

    /// <summary>Puts each module back in its mode; <c>train(bool)</c> recurses, so parents go first and children override them.</summary>
    private static void RestoreTrainingModes(VisionModel model, List<(nn.Module Module, bool Training, int Depth)> modes)
    {
        foreach (var (module, training, _) in modes.OrderBy(m => m.Depth))
            module.train(training);
    }
}
