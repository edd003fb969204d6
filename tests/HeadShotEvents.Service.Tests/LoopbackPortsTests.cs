using System.Net;
using System.Net.Sockets;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The ports the tests' servers are given before they start: outside the kernel's ephemeral range,
/// so no outgoing connection can take one first (CI once failed with "address already in use" on a
/// port 0 had given and an outgoing connection then took).
/// </summary>
/// <remarks>
/// Not run beside other tests: holding ports the cursor is about to hand out would take them from a
/// test that was just handed one and has not bound it yet.
/// </remarks>
[Collection(nameof(LoopbackPortsTests))]
public sealed class LoopbackPortsTests
{
    [Fact]
    public void Ports_handed_out_are_below_the_ephemeral_range_distinct_and_free()
    {
        var ports = Enumerable.Range(0, 50).Select(_ => LoopbackPorts.Free()).ToList();

        Assert.All(ports, port => Assert.InRange(port, 26_000, FirstEphemeral - 1));
        Assert.Equal(50, ports.Distinct().Count());
        foreach (var port in ports)
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start(); // throws if anything holds it
        }
    }

    [Fact]
    public void A_port_something_listens_on_is_never_handed_out()
    {
        // Hold every port of a stretch the cursor is about to walk: each must be skipped.
        var held = new List<TcpListener>();
        try
        {
            var next = LoopbackPorts.Free();
            for (var port = next + 1; port <= next + 20; port++)
            {
                var listener = new TcpListener(IPAddress.Loopback, port);
                try
                {
                    listener.Start();
                    held.Add(listener);
                }
                catch (SocketException)
                {
                    listener.Dispose(); // taken already, by someone else: skipped all the same
                }
            }

            var after = LoopbackPorts.Free();

            Assert.NotInRange(after, next + 1, next + 20);
            Assert.InRange(after, 26_000, FirstEphemeral - 1);
        }
        finally
        {
            held.ForEach(listener => listener.Dispose());
        }
    }

    private static int FirstEphemeral =>
        int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split('\t', ' ')[0], System.Globalization.CultureInfo.InvariantCulture);
}

[CollectionDefinition(nameof(LoopbackPortsTests), DisableParallelization = true)]
public sealed class LoopbackPortsCollection;
