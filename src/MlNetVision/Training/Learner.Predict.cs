using MlNetVision.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Training;

public sealed partial class Learner
{
    /// <summary>fastai v1 <c>TTA</c> default weight of the plain prediction.</summary>
    public const double DefaultTtaBeta = 0.4;

    /// <summary>fastai v1 <c>TTA</c> default zoom of the augmented views.</summary>
    public const double DefaultTtaScale = 1.35;

    /// <summary>
    /// Predicts the class of one image file, loaded as the validation set is (fastai <c>learn.predict(img)</c>).
    /// </summary>
    /// <exception cref="ImageDecodeException">The file is not a decodable image.</exception>
    public Prediction Predict(string imagePath)
    {
        using var scope = torch.NewDisposeScope();
        var image = ImageLoader.LoadForInference(imagePath, Data.ImageSize, Data.ResizeMethod);
        return Predict(image);
    }

    /// <summary>Predicts the class of one encoded image (JPEG, PNG, BMP, GIF or WebP bytes), loaded as the validation set is.</summary>
    /// <exception cref="ImageDecodeException">The bytes are not a decodable image.</exception>
    public Prediction Predict(byte[] encodedImage)
    {
        using var scope = torch.NewDisposeScope();
        var image = ImageLoader.LoadForInference(encodedImage, Data.ImageSize, Data.ResizeMethod);
        return Predict(image);
    }

    /// <summary>Predicts the class of one image tensor: float32 <c>[3, H, W]</c>, RGB in 0..1.</summary>
    public Prediction Predict(Tensor image)
    {
        using var scope = torch.NewDisposeScope();
        return ModelInference.ToPrediction(ModelInference.Probabilities(Model, image.unsqueeze(0))[0], Classes);
    }

    /// <summary>
    /// Probabilities, targets and per-item losses over a split, in the order of the loader's <c>Items</c>
    /// (fastai <c>get_preds(ds_type, with_loss=True)</c>). Every split is served without augmentation.
    /// </summary>
    /// <exception cref="InvalidOperationException">The data has no test set and <see cref="DatasetSplit.Test"/> was asked for.</exception>
    public Predictions GetPreds(DatasetSplit split = DatasetSplit.Valid) => Collect(split, images => Softmax(images));

    /// <summary>
    /// Test-time augmentation as fastai v1's <c>TTA</c>: the plain probabilities weighted by <paramref name="beta"/> plus,
    /// weighted by <c>1 − beta</c>, the mean over 8 views — zoomed by <paramref name="scale"/> onto each corner, with and
    /// without a horizontal flip. (fastai also applies the training set's random lighting/warp to the views; this
    /// deterministic version does not.)
    /// </summary>
    public Predictions TTA(DatasetSplit split = DatasetSplit.Valid, double beta = DefaultTtaBeta, double scale = DefaultTtaScale)
    {
        if (!(scale >= 1)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The zoom must be at least 1.");
        return Collect(split, images =>
        {
            var plain = Softmax(images);
            long size = images.shape[2], width = images.shape[3];
            long ch = Math.Max(1, (long)Math.Round(size / scale)), cw = Math.Max(1, (long)Math.Round(width / scale));
            Tensor? sum = null;
            for (int i = 0; i < 8; i++)
            {
                long row = (i & 1) != 0 ? size - ch : 0, col = (i & 2) != 0 ? width - cw : 0;
                var view = images[.., .., TensorIndex.Slice(row, row + ch), TensorIndex.Slice(col, col + cw)];
                view = nn.functional.interpolate(view, [size, width], mode: InterpolationMode.Bilinear, align_corners: false);
                if ((i & 4) != 0) view = view.flip(3);
                var p = Softmax(view);
                sum = sum is null ? p : sum.add_(p);
            }
            return plain.mul(beta).add_(sum!.div_(8), alpha: 1 - beta);
        });
    }

    private Tensor Softmax(Tensor images) => nn.functional.softmax(Model.call(images), 1);

    private Predictions Collect(DatasetSplit split, Func<Tensor, Tensor> probabilities)
    {
        var loader = split == DatasetSplit.Test
            ? Data.Test ?? throw new InvalidOperationException("The data has no test set.")
            : Data.Loader(split);
        int n = loader.Count, c = Classes.Count;
        var probs = new float[n][];
        var targets = new int[n];
        var losses = new float[n];
        Model.eval();
        using var noGrad = torch.no_grad();
        for (int start = 0; start < n; start += loader.BatchSize)
        {
            using var scope = torch.NewDisposeScope();
            var indices = Enumerable.Range(start, Math.Min(loader.BatchSize, n - start)).ToArray();
            using var batch = loader.GetBatch(indices);
            var p = probabilities(batch.Images.to(Device)).to_type(ScalarType.Float32).cpu().contiguous();
            var flat = p.data<float>().ToArray();
            var labels = batch.Labels.cpu().data<long>().ToArray();
            for (int k = 0; k < indices.Length; k++)
            {
                var row = new float[c];
                Array.Copy(flat, k * c, row, 0, c);
                var item = batch.Indices[k];
                probs[item] = row;
                targets[item] = (int)labels[k];
                losses[item] = labels[k] < 0 ? float.NaN : -MathF.Log(Math.Max(row[labels[k]], 1e-30f));
            }
        }
        return new Predictions(probs, targets, losses);
    }
}
