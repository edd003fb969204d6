using System.Net;

namespace HeadShotEvents.Archiver.Downloads;

/// <summary>Turns a host name into addresses: DNS in production; tests map names of their own.</summary>
public class HostResolver
{
    public virtual Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
