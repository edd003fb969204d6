using System.Net;
using System.Net.Sockets;
using HeadShotEvents.UrlSafety;

namespace HeadShotEvents.Archiving.Downloads;

/// <summary>
/// The download client's ConnectCallback: resolves the name itself, refuses the connection when any
/// address is loopback, private, link-local or reserved, and connects to exactly the addresses it
/// checked. A URL check alone cannot see what a name resolves to, and a name can answer differently
/// on a second lookup (DNS rebinding), so the check sits where the socket is opened.
/// </summary>
public sealed class GuardedConnector(HostResolver resolver, bool allowInternalAddresses)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await resolver.ResolveAsync(endpoint.Host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        if (!allowInternalAddresses && addresses.FirstOrDefault(address => !ImageUrl.IsPublic(address)) is { } inside)
        {
            throw new InternalAddressException(endpoint.Host, inside);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>A host name resolved to an address inside the network: never connected to.</summary>
public sealed class InternalAddressException(string host, IPAddress address)
    : IOException($"The host '{host}' resolves to a loopback, private, link-local or reserved address ({address}); refused.")
{
    public string Host { get; } = host;
    public IPAddress Address { get; } = address;
}
