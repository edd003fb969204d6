using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>
/// The service's JIT, watched live over the runtime's diagnostic port (what dotnet-trace uses): how
/// many methods it compiled and how much time that took. .NET first runs a method as quick,
/// unoptimised code and compiles it again, optimised, in the background once it has been called
/// often enough (twice with dynamic PGO). After a start, on a loaded 2-core machine, that took
/// 20 to 60 s at 0.3 to 0.9 of a core (dotnet-counters, session 6); a window measured meanwhile
/// measures the JIT as much as the service. So warm-ups go on until the JIT has settled.
/// </summary>
public sealed class JitWatch : IAsyncDisposable
{
    private readonly EventPipeSession _session;
    private readonly Task _reading;
    private readonly Dictionary<long, double> _startedAt = [];
    private readonly Lock _gate = new();
    private long _methods;
    private double _jitMs;

    private JitWatch(EventPipeSession session, EventPipeEventSource source)
    {
        _session = session;
        // Both on the reading thread, in order: a compilation's start, then its end (the method's load).
        source.Clr.MethodJittingStarted += e => _startedAt[e.MethodID] = e.TimeStampRelativeMSec;
        source.Clr.MethodLoadVerbose += e =>
        {
            var took = _startedAt.Remove(e.MethodID, out var started) ? e.TimeStampRelativeMSec - started : 0;
            lock (_gate)
            {
                _methods++;
                _jitMs += took;
            }
        };
        _reading = Task.Factory.StartNew(() => source.Process(), TaskCreationOptions.LongRunning);
    }

    /// <summary>Null where the process cannot be watched (no diagnostic port: DOTNET_EnableDiagnostics=0, another machine).</summary>
    public static JitWatch? TryStart(int? processId, Action<string> log)
    {
        if (processId is not { } pid)
        {
            return null;
        }

        try
        {
            var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.Jit);
            var session = new DiagnosticsClient(pid).StartEventPipeSession([provider], requestRundown: false);
            try
            {
                return new JitWatch(session, new EventPipeEventSource(session.EventStream));
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or UnsupportedCommandException or IOException or TimeoutException)
        {
            log($"the service's JIT cannot be watched ({ex.GetType().Name}): warm-ups are of their minimum length");
            return null;
        }
    }

    /// <summary>False once the event stream has ended (the service stopped): then no compilation is seen, which is not the same as none.</summary>
    public bool Watching => !_reading.IsCompleted;

    /// <summary>
    /// The runtime sends its events in blocks about every 100 ms and the reader passes them on a
    /// block late, so a snapshot taken right after some work waits a moment for that work's events.
    /// </summary>
    public async Task<JitSnapshot> TakeAfterFlushAsync()
    {
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        return Take();
    }

    public JitSnapshot Take()
    {
        lock (_gate)
        {
            return new JitSnapshot(_methods, _jitMs, System.Diagnostics.Stopwatch.GetTimestamp());
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Bounded: a service that has stopped answering must not hang the benchmark's clean-up.
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _session.StopAsync(patience.Token);
        }
        catch (Exception ex) when (ex is ServerNotAvailableException or ServerErrorException or IOException or EndOfStreamException or OperationCanceledException)
        {
            // The service has already stopped, or no longer answers.
        }

        await _reading.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { });
        _session.Dispose();
    }
}

/// <summary>Methods compiled and JIT milliseconds so far, and when.</summary>
public sealed record JitSnapshot(long Methods, double JitMs, long At)
{
    /// <summary>What the JIT did between <paramref name="before"/> and this, as methods and the share of one core it used.</summary>
    public JitActivity Since(JitSnapshot before)
    {
        var wallMs = System.Diagnostics.Stopwatch.GetElapsedTime(before.At, At).TotalMilliseconds;
        return new JitActivity(Methods - before.Methods, wallMs <= 0 ? 0 : (JitMs - before.JitMs) / wallMs);
    }
}

public sealed record JitActivity(long Methods, double CoreShare)
{
    public override string ToString() => FormattableString.Invariant($"JIT {Methods} methods, {CoreShare:P1} of a core");
}
