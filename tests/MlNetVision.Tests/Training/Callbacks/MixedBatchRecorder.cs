using MlNetVision.Training;
using MlNetVision.Training.Callbacks;
using static TorchSharp.torch;

namespace MlNetVision.Tests.Training.Callbacks;

/// <summary>
/// Takes the batch a <see cref="MixHandler"/> mixed, and recomputes its loss in double from the logits of the mixed images:
/// <c>mean(λᵢ·CE(ŷᵢ, yᵢ) + (1 − λᵢ)·CE(ŷᵢ, y_sᵢ))</c>. Stops the fit after <paramref name="batches"/> batches.
/// </summary>
internal sealed class MixedBatchRecorder(MixHandler handler, int batches) : LearnerCallback
{
    private float[] _mixed = [], _lambda = [];
    private long[] _shuffle = [];
    private (int, int, int, int)? _box;

    public List<MixedBatch> Batches { get; } = [];

    public override int Order => 50;

    public override void BeforeBatch(Learner learner)
    {
        if (!learner.State.Training) return;
        _mixed = UnmixedBatchRecorder.Values(learner.State.Images!);
        _lambda = UnmixedBatchRecorder.Values(handler.Lambda!);
        _shuffle = handler.Shuffle!.data<long>().ToArray();
        _box = (handler as CutMix)?.Box;
    }

    public override void AfterLoss(Learner learner)
    {
        if (!learner.State.Training) return;
        double[] logits;
        using (no_grad()) logits = learner.Model.forward(learner.State.Images!).to_type(ScalarType.Float64).data<double>().ToArray();
        var labels = learner.State.Labels!.data<long>().ToArray();
        int n = labels.Length, c = logits.Length / n;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var row = logits.AsSpan(i * c, c).ToArray();
            var lse = row.Max() + Math.Log(row.Sum(v => Math.Exp(v - row.Max())));
            double own = lse - row[labels[i]], partner = lse - row[labels[_shuffle[i]]];
            total += _lambda[i] * own + (1 - _lambda[i]) * partner;
        }
        Batches.Add(new MixedBatch(_mixed, _lambda, _shuffle, learner.State.Loss, total / n, _box));
        if (Batches.Count == batches) learner.State.RequestStop("enough batches", immediately: true);
    }
}
