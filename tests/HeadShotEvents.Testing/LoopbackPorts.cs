using System.Net;
using System.Net.Sockets;

namespace HeadShotEvents.Testing;

/// <summary>
/// Loopback ports for servers that must know their address before they start: a child process
/// given its URL, a service whose webhook base URL is in its settings.
/// </summary>
/// <remarks>
/// Binding port 0 and closing the listener is not enough. That port comes from the kernel's
/// ephemeral range, and until the server binds it the kernel may hand it to any outgoing
/// connection (to RabbitMQ, to PostgreSQL): CI failed once on exactly that, "Failed to bind to
/// address http://127.0.0.1:41519: address already in use". Ports below the ephemeral range are
/// never given to outgoing connections. Each one handed out is checked free by binding it, and
/// every process walks them from its own random start so that test processes running side by side
/// seldom try the same port at the same moment.
/// </remarks>
public static class LoopbackPorts
{
    // Above the servers test.sh starts: PostgreSQL and RabbitMQ on 543x and 567x, and RabbitMQ's
    // distribution ports (AMQP + 20000, 25672-25679), which a node the chaos and scale-out tests
    // stop must find free again when they restart it. 26000-32767 is room for thousands of servers.
    private const int Lowest = 26_000;

    private static readonly (int First, int Count) Range = BelowEphemeral();
    private static int _cursor = Random.Shared.Next(Range.Count);

    /// <summary>A port nothing listens on now, outside the range outgoing connections draw from.</summary>
    public static int Free()
    {
        if (Range.Count == 0)
        {
            return EphemeralPort();
        }

        for (var tried = 0; tried < Range.Count; tried++)
        {
            var port = Range.First + (int)((uint)Interlocked.Increment(ref _cursor) % (uint)Range.Count);
            if (CanBind(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No loopback port free between {Range.First} and {Range.First + Range.Count - 1}.");
    }

    /// <summary>A loopback HTTP base address on a <see cref="Free"/> port.</summary>
    public static Uri FreeAddress() => new($"http://127.0.0.1:{Free()}/");

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int EphemeralPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>From <see cref="Lowest"/> to just below the first ephemeral port (Linux: 32768 by default).</summary>
    private static (int First, int Count) BelowEphemeral()
    {
        var firstEphemeral = 32_768;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            firstEphemeral = int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            // Not Linux, or not readable: keep the default.
        }

        return (Lowest, Math.Max(0, firstEphemeral - Lowest));
    }
}
