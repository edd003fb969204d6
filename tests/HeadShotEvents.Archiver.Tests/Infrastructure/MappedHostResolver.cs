using System.Net;
using HeadShotEvents.Archiving.Downloads;

namespace HeadShotEvents.Archiver.Tests.Infrastructure;

/// <summary>A resolver with names of the test's own, as a hostile DNS zone would answer them; other names go to DNS.</summary>
public sealed class MappedHostResolver(IReadOnlyDictionary<string, IPAddress> names) : HostResolver
{
    public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        names.TryGetValue(host, out var address) ? Task.FromResult(new[] { address }) : base.ResolveAsync(host, cancellationToken);
}
