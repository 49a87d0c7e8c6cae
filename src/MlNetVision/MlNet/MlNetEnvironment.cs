using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MlNetVision.MlNet;

/// <summary>
/// Reaches the <see cref="IHostEnvironment"/> of the <see cref="MLContext"/> a catalog belongs to, and its cancellation flag.
/// ML.NET's own components get both through internal API (<c>CatalogUtils.GetEnvironment</c>, <c>env.CheckAlive()</c>):
/// in ML.NET 5 a catalog has no public link to its context and a host no public cancellation flag. So two reads are made
/// by reflection, each of a member whose value is then used through public API only: the catalog's explicit
/// <c>IInternalCatalog.Environment</c> (an <see cref="IHostEnvironment"/>: <c>Register</c>, <c>IHost.Rand</c>,
/// <c>Start</c> → <see cref="IChannel"/>, whose messages reach <c>mlContext.Log</c>) and the public <c>IsCanceled</c>
/// property of ML.NET's host class (set by <c>CancelExecution()</c>). If a later ML.NET changes either, the trainer works
/// as before this integration (its own seed, no log, token-only cancellation); tests catch the change.
/// </summary>
internal static class MlNetEnvironment
{
    /// <summary>The environment behind <paramref name="catalog"/>, or <see langword="null"/> when ML.NET hides it differently.</summary>
    public static IHostEnvironment? Of(object catalog)
    {
        var contract = catalog.GetType().GetInterfaces().FirstOrDefault(i => i.FullName == "Microsoft.ML.Data.IInternalCatalog");
        return contract?.GetProperty("Environment")?.GetValue(catalog) as IHostEnvironment;
    }

    /// <summary>A probe that tells whether <c>CancelExecution()</c> was called on the context <paramref name="host"/> was registered with.</summary>
    public static Func<bool> CancellationProbe(IHost host)
    {
        var flag = host.GetType().GetProperty("IsCanceled", BindingFlags.Public | BindingFlags.Instance);
        if (flag is null || flag.PropertyType != typeof(bool)) return () => false;
        return () => (bool)flag.GetValue(host)!;
    }
}
