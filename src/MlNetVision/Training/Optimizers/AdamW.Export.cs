using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MlNetVision.Training.Optimizers;

public sealed partial class AdamW
{
    /// <summary>
    /// The Adam state of every parameter that has one, addressed by group and position in the group (what a checkpoint
    /// stores). The tensors are the optimiser's own: read them before the next step, do not dispose them.
    /// </summary>
    internal IReadOnlyList<ParameterState> ExportState()
    {
        var states = new List<ParameterState>();
        for (int g = 0; g < Groups.Count; g++)
        {
            var parameters = Groups[g].Parameters;
            for (int i = 0; i < parameters.Count; i++)
                if (_state.TryGetValue(parameters[i], out var s)) states.Add(new ParameterState(g, i, s.Step, s.ExpAvg, s.ExpAvgSq));
        }
        return states;
    }

    /// <summary>
    /// Replaces the optimiser's state by <paramref name="states"/> (as <see cref="ExportState"/> gave them); the tensors
    /// are copied onto each parameter's device, the caller keeps ownership of its own.
    /// </summary>
    /// <exception cref="InvalidDataException">A state names a group or parameter that does not exist, or its shape differs from the parameter's.</exception>
    internal void ImportState(IEnumerable<ParameterState> states)
    {
        using var noGrad = torch.no_grad();
        ResetState();
        var imported = new List<(Parameter Parameter, long Step, Tensor ExpAvg, Tensor ExpAvgSq)>();
        foreach (var s in states)
        {
            if (s.Group < 0 || s.Group >= Groups.Count || s.Index < 0 || s.Index >= Groups[s.Group].Parameters.Count)
                throw new InvalidDataException($"The optimiser state names parameter {s.Index} of group {s.Group}; the model has {Groups.Count} groups of [{string.Join(", ", Groups.Select(x => x.Parameters.Count))}] parameters.");
            var p = Groups[s.Group].Parameters[s.Index];
            if (!s.ExpAvg.shape.SequenceEqual(p.shape) || !s.ExpAvgSq.shape.SequenceEqual(p.shape))
                throw new InvalidDataException($"The optimiser state of parameter {s.Index} of group {s.Group} has shape [{string.Join(", ", s.ExpAvg.shape)}]; the parameter has [{string.Join(", ", p.shape)}].");
            imported.Add((p, s.Step, s.ExpAvg.to(p.dtype, p.device), s.ExpAvgSq.to(p.dtype, p.device)));
        }
        // One block for all moments, as the optimiser makes them (ContiguousTensors).
        var copies = ContiguousTensors.Copies([.. imported.Select(m => m.ExpAvg), .. imported.Select(m => m.ExpAvgSq)]);
        for (int i = 0; i < imported.Count; i++)
        {
            _state[imported[i].Parameter] = new State(copies[i], copies[imported.Count + i]) { Step = imported[i].Step };
            imported[i].ExpAvg.Dispose();
            imported[i].ExpAvgSq.Dispose();
        }
    }

    /// <summary>One parameter's Adam state: its group, its index in the group, its step count and its two moving averages.</summary>
    internal readonly record struct ParameterState(int Group, int Index, long Step, Tensor ExpAvg, Tensor ExpAvgSq);
}
