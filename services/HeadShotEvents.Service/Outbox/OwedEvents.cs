using System.Threading.Channels;
using HeadShotEvents.Service.Jobs;

namespace HeadShotEvents.Service.Outbox;

/// <summary>One owed event and the claim that makes it this dispatcher's to publish.</summary>
public sealed record OwedEvent(HeadShotJob Job, DateTime ClaimedUntil);

/// <summary>
/// How a settled job's event reaches this process's <see cref="EventDispatcher"/>.
/// <para>
/// The hand-off (the normal path): while a dispatcher runs here, a settling write also claims the
/// event for it (<see cref="HandOffClaim"/>), and hands it the settled row once the write is
/// committed. The dispatcher publishes it with no claim statement and no read of its own: the
/// claim costs nothing but a column the settle writes anyway. A claim handed off but never published
/// (the process died, the dispatcher stopped) lapses after <see cref="OutboxOptions.ClaimLease"/>
/// and a sweep (here or in another instance) takes the event over.
/// </para>
/// <para>
/// The wake: a job settled without a claim (no dispatcher here when it was written), or an event
/// found still owed, wakes the dispatcher to sweep for claimable events at once. Many wakes while
/// it is busy collapse into one.
/// </para>
/// </summary>
public sealed class OwedEvents(TimeProvider time, Microsoft.Extensions.Options.IOptions<OutboxOptions> options)
{
    private readonly SemaphoreSlim _signal = new(0, 1);
    // Many-reader options although one dispatcher reads: only that kind of channel can count what waits.
    private readonly Channel<OwedEvent> _handedOff = Channel.CreateUnbounded<OwedEvent>();
    private volatile bool _accepting;
    private long _suspendedUntil;
    private int _settlesClaiming;
    private int _signalled;
    private int _sweepWanted;

    /// <summary>
    /// The claim a settling write should take for this process's dispatcher (whole microseconds, as
    /// PostgreSQL stores it, so it reads back equal), or null when none runs here to take the hand-off,
    /// or its publishes have just failed (the broker is away: the sweep, with its pauses, takes over).
    /// A settle given a claim calls <see cref="ClaimSettled"/> once its events are handed off or its
    /// claim released, so a stopping dispatcher can wait for the hand-offs still to come.
    /// </summary>
    public DateTime? HandOffClaim()
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (!TakesHandOffsAt(now))
        {
            return null;
        }

        Interlocked.Increment(ref _settlesClaiming);
        if (!_accepting)
        {
            // Closed meanwhile: the dispatcher may already have stopped waiting for this settle.
            Interlocked.Decrement(ref _settlesClaiming);
            return null;
        }

        return OwedEventStore.Microseconds(now + options.Value.ClaimLease);
    }

    /// <summary>Whether a dispatcher here takes hand-offs (it runs, and its publishes are not failing).</summary>
    public bool TakesHandOffs => TakesHandOffsAt(time.GetUtcNow().UtcDateTime);

    private bool TakesHandOffsAt(DateTime now) => _accepting && now.Ticks >= Interlocked.Read(ref _suspendedUntil);

    /// <summary>A settle that took <see cref="HandOffClaim"/> is done with it (handed off, or released).</summary>
    public void ClaimSettled() => Interlocked.Decrement(ref _settlesClaiming);

    /// <summary>Committed settles that took <see cref="HandOffClaim"/>: the dispatcher publishes them.</summary>
    public void HandOff(IEnumerable<OwedEvent> events)
    {
        var any = false;
        foreach (var owed in events)
        {
            // Unbounded: the settles already wrote these rows, so memory follows what the bus is behind by.
            _handedOff.Writer.TryWrite(owed);
            any = true;
        }

        if (any)
        {
            Signal();
        }
    }

    /// <summary>Asks the dispatcher for a sweep now: an owed event nobody handed it may be waiting.</summary>
    public void Wake()
    {
        Volatile.Write(ref _sweepWanted, 1);
        Signal();
    }

    /// <summary>Events handed off so far still waiting for the dispatcher.</summary>
    public int HandedOffWaiting => _handedOff.Reader.Count;

    /// <summary>The next handed-off event, without waiting.</summary>
    internal bool TryTakeHandedOff(out OwedEvent owed) => _handedOff.Reader.TryRead(out owed!);

    /// <summary>Up to <paramref name="max"/> handed-off events, without waiting (empty when none).</summary>
    internal List<OwedEvent> TakeHandedOff(int max)
    {
        var taken = new List<OwedEvent>();
        while (taken.Count < max && _handedOff.Reader.TryRead(out var owed))
        {
            taken.Add(owed);
        }

        return taken;
    }

    /// <summary>True (once) when a sweep was asked for since the last call.</summary>
    internal bool SweepWanted() => Interlocked.Exchange(ref _sweepWanted, 0) == 1;

    /// <summary>A hand-off's publish failed: settles claim nothing for <paramref name="pause"/>.</summary>
    internal void Suspend(TimeSpan pause) =>
        Interlocked.Exchange(ref _suspendedUntil, (time.GetUtcNow().UtcDateTime + pause).Ticks);

    /// <summary>The dispatcher runs: settles may claim for it from now on.</summary>
    internal void Open() => _accepting = true;

    /// <summary>
    /// The dispatcher stops: settles no longer claim for it, and the ones that already took a claim
    /// are waited for (at most <paramref name="patience"/>), so their hand-offs are in the channel
    /// before the dispatcher releases what it holds. One that outlasts the patience leaves its claim
    /// to lapse, and a sweep takes the event then.
    /// </summary>
    internal async Task CloseAsync(TimeSpan patience)
    {
        _accepting = false;
        var waited = time.GetTimestamp();
        while (Volatile.Read(ref _settlesClaiming) > 0 && time.GetElapsedTime(waited) < patience)
        {
            await Task.Delay(10, CancellationToken.None);
        }
    }

    /// <summary>Waits for a hand-off or a wake, or for <paramref name="sweep"/> to pass (true when signalled).</summary>
    public async Task<bool> WaitAsync(TimeSpan sweep, CancellationToken cancellationToken)
    {
        var signalled = await _signal.WaitAsync(sweep, cancellationToken);
        if (signalled)
        {
            // Before the dispatcher looks at what waits (a full fence): a signal from here on wakes it
            // again. Only when signalled: after a timeout, a signal may have raised the flag and
            // released the semaphore meanwhile, and both must stay so the next wait returns at once.
            Interlocked.Exchange(ref _signalled, 0);
        }

        return signalled;
    }

    /// <summary>
    /// One pending signal at most: further ones while it is pending are no-ops (a flag, not the
    /// semaphore's SemaphoreFullException, which cost an exception per hand-off under load).
    /// </summary>
    private void Signal()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Cannot happen while the flag and the count move together; never let a signal
                // fail the settle that sent it (its write is already committed).
            }
        }
    }
}
