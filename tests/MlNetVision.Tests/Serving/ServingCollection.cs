namespace MlNetVision.Tests.Serving;

/// <summary>The serving test classes share one trained model and one running server.</summary>
[CollectionDefinition(Name)]
public sealed class ServingCollection : ICollectionFixture<ServingFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "Serving";
}
