using System.Net;
using System.Net.Sockets;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>
/// A loopback TCP relay in front of the real broker, so one test can cut its own service off
/// from RabbitMQ (and restore it) without disturbing the broker every other test is using.
/// </summary>
public sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly DnsEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _cut;
    private volatile bool _stalled;

    /// <param name="host">Where the relay connects to.</param>
    /// <param name="port">The target's port.</param>
    /// <param name="listenPort">0 for any free port; a given one to open a door that was refusing connections.</param>
    public TcpRelay(string host, int port, int listenPort = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, listenPort);
        _target = new DnsEndPoint(host, port);
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Drops every relayed connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _cut = true;
        lock (_open)
        {
            foreach (var client in _open)
            {
                client.Dispose();
            }

            _open.Clear();
        }
    }

    /// <summary>
    /// Keeps every connection open but passes no byte on until <see cref="Restore"/>: the client sees
    /// a broker that stopped answering (a publish waits for its confirm), not a closed socket (which
    /// fails at once the publishes that were under way).
    /// </summary>
    public void Stall() => _stalled = true;

    public void Restore()
    {
        _cut = false;
        _stalled = false;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            if (_cut)
            {
                inbound.Dispose();
                continue;
            }

            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(TcpClient inbound)
    {
        using var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_target.Host, _target.Port, _stop.Token);
            lock (_open)
            {
                _open.Add(inbound);
                _open.Add(outbound);
            }

            var a = PumpAsync(inbound.GetStream(), outbound.GetStream(), _stop.Token);
            var b = PumpAsync(outbound.GetStream(), inbound.GetStream(), _stop.Token);
            await Task.WhenAny(a, b);
        }
        catch (Exception)
        {
            // A cut connection ends here; that is the point.
        }
        finally
        {
            inbound.Dispose();
        }
    }

    private async Task PumpAsync(NetworkStream from, NetworkStream to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        for (int read; (read = await from.ReadAsync(buffer, cancellationToken)) > 0;)
        {
            while (_stalled)
            {
                await Task.Delay(20, cancellationToken);
            }

            await to.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
    }

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        Cut();
        return ValueTask.CompletedTask;
    }
}
