using TorchSharp;
using static TorchSharp.torch;

namespace MlNetVision.Training.Optimizers;

/// <summary>
/// Tensors that live as long as a fit (gradients, AdamW's moments, the per-epoch copy of the weights and of AdamW's
/// state), made as views of one block per dtype and device instead of one allocation each.
/// </summary>
/// <remarks>
/// With one allocation per parameter, a model's long-lived tensors are hundreds of blocks below glibc's mmap threshold,
/// placed in its heap between the step's short-lived activations; the holes they leave are what made resident memory
/// swell between trims (docs/BENCHMARKS.md, "Memory at scale"). A block of a whole model's worth (63 MiB for
/// resnet18) is above glibc's largest mmap threshold, so glibc maps it on its own (unless a free chunk of its heap can
/// already hold it) and returns it in full when its last view is freed. The views keep the block alive; nothing else holds it.
/// </remarks>
internal static class ContiguousTensors
{
    /// <summary>Zeros shaped (and, when dense, strided) like each of <paramref name="templates"/>, detached from any dispose scope.</summary>
    public static Tensor[] ZerosLike(IReadOnlyList<Tensor> templates) => Make(templates, copy: false);

    /// <summary>Detached copies of <paramref name="sources"/>, detached from any dispose scope.</summary>
    public static Tensor[] Copies(IReadOnlyList<Tensor> sources) => Make(sources, copy: true);

    private static Tensor[] Make(IReadOnlyList<Tensor> templates, bool copy)
    {
        var result = new Tensor[templates.Count];
        using var noGrad = torch.no_grad();
        foreach (var group in Enumerable.Range(0, templates.Count).GroupBy(i => (templates[i].dtype, templates[i].device.ToString())))
        {
            var first = templates[group.First()];
            long total = group.Sum(i => templates[i].NumberOfElements);
            using var block = copy ? torch.empty(total, first.dtype, first.device) : torch.zeros(total, first.dtype, first.device);
            long offset = 0;
            foreach (var i in group)
            {
                var t = templates[i];
                var view = IsDense(t) ? block.as_strided(t.shape, t.stride(), offset) : block.narrow(0, offset, t.NumberOfElements).view(t.shape);
                if (copy) view.copy_(t);
                result[i] = view.DetachFromDisposeScope();
                offset += t.NumberOfElements;
            }
        }
        return result;
    }

    /// <summary>Whether <paramref name="t"/>'s strides cover exactly its elements (contiguous in some dimension order, such as channels-last).</summary>
    internal static bool IsDense(Tensor t)
    {
        var dims = t.shape.Zip(t.stride()).Where(d => d.First != 1).OrderBy(d => d.Second).ToArray();
        long expected = 1;
        foreach (var (size, stride) in dims)
        {
            if (stride != expected) return false;
            expected *= size;
        }
        return true;
    }
}
