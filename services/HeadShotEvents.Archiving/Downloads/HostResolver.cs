using System.Net;

namespace HeadShotEvents.Archiving.Downloads;

/// <summary>Turns a host name into addresses: DNS in production; tests map names of their own.</summary>
public class HostResolver
{
    public virtual Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
