using System.Diagnostics;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Telemetry;
using HeadShotEvents.Service.Timeline;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Outbox;

/// <summary>
/// Publishes the terminal events the job store owes. Settling a job is one database write that also
/// writes its event owed (<see cref="OwedEventRow"/>). On the normal path that write also claims the
/// event for this dispatcher and hands it over once committed (<see cref="OwedEvents"/>): it is
/// published at once, on its own, with no claim statement, and its row is deleted together with those
/// of other events confirmed meanwhile. A sweep, on a timer or when woken, claims owed events nobody
/// handed over (settled where no dispatcher ran, left by another instance, or whose claim lapsed) in
/// batches, publishes a batch concurrently and deletes their rows in one statement. Every publish
/// waits for the broker's confirm. A crash anywhere only delays an event: its row stays until the bus
/// has confirmed it. Safe with many instances: claims are compare-and-swaps.
/// </summary>
public sealed partial class EventDispatcher(
    IServiceScopeFactory scopes, OwedEvents owed, IBus bus, IOptions<OutboxOptions> options, JobTimeline timeline, TimeProvider time,
    ILogger<EventDispatcher> logger)
    : BackgroundService
{
    public const string DispatchActivity = "headshot.dispatch";

    /// <summary>How long a stopping dispatcher waits for settles that already claimed for it to hand off.</summary>
    private static readonly TimeSpan ClosePatience = TimeSpan.FromSeconds(5);

    private long _handedOff;
    private long _swept;

    /// <summary>Events published so far as handed over by a settle, and as claimed by a sweep.</summary>
    public (long HandedOff, long Swept) Published => (Interlocked.Read(ref _handedOff), Interlocked.Read(ref _swept));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        await using var handOffs = new HandOffs(this, owed, scopes, time, logger, settings);
        owed.Open();
        try
        {
            // The first sweep at once: events a previous run of this process left owed.
            var lastSweep = long.MinValue;
            while (!stoppingToken.IsCancellationRequested)
            {
                bool healthy;
                try
                {
                    await handOffs.StartAsync(stoppingToken);
                    var sweepDue = lastSweep == long.MinValue || time.GetElapsedTime(lastSweep) >= settings.SweepInterval;
                    healthy = true;
                    if (owed.SweepWanted() || sweepDue)
                    {
                        lastSweep = time.GetTimestamp();
                        // Hand-offs go on between the sweep's batches: a long sweep must not age them.
                        healthy = await DrainAsync(settings, stoppingToken, () => handOffs.StartAsync(stoppingToken));
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    LogDrainFailed(logger, ex);
                    healthy = false;
                }

                if (healthy)
                {
                    var untilSweep = settings.SweepInterval - time.GetElapsedTime(lastSweep);
                    await owed.WaitAsync(untilSweep > TimeSpan.Zero ? untilSweep : TimeSpan.Zero, stoppingToken);
                }
                else
                {
                    // The broker or the store is failing: sweeps would only spin; try again after a pause.
                    await Task.Delay(settings.RetryDelay, stoppingToken);
                }
            }
        }
        finally
        {
            // No more claims; the settles that took one hand off what they committed. Then the
            // publishes in flight end (cut short by the stop, they release their events), and what
            // is still waiting is released.
            await owed.CloseAsync(ClosePatience);
            await handOffs.StopAsync();
            await ReleaseHandedOffAsync(settings);
        }
    }

    /// <summary>
    /// Claims and publishes batches until nothing claimable is owed. False when a whole batch failed
    /// (the broker is unreachable): then the caller pauses instead of spinning.
    /// </summary>
    public async Task<bool> DrainAsync(OutboxOptions settings, CancellationToken cancellationToken, Func<Task>? betweenBatches = null)
    {
        while (true)
        {
            await using var scope = scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<OwedEventStore>();
            var batch = await store.ClaimAsync(settings.BatchSize, settings.ClaimLease, cancellationToken);
            if (batch.Jobs.Count == 0)
            {
                return true;
            }

            var events = batch.Jobs.Select(job => new OwedEvent(job, batch.ClaimedUntil)).ToList();
            var (confirmed, failed) = await PublishBatchAsync(store, events, settings, cancellationToken);
            Interlocked.Add(ref _swept, confirmed);
            if (confirmed == 0 && failed > 0)
            {
                return false;
            }

            if (batch.Jobs.Count < settings.BatchSize)
            {
                return true;
            }

            if (betweenBatches is not null)
            {
                await betweenBatches();
            }
        }
    }

    /// <summary>
    /// Stopping: what was handed over but not published is released at once, so a sweep (another
    /// instance's, or this one's next run) takes it without waiting for the claims to lapse.
    /// </summary>
    private async Task ReleaseHandedOffAsync(OutboxOptions settings)
    {
        try
        {
            for (var events = owed.TakeHandedOff(settings.BatchSize); events.Count > 0; events = owed.TakeHandedOff(settings.BatchSize))
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<OwedEventStore>().ReleaseAsync(events, TimeSpan.Zero, CancellationToken.None);
            }
        }
        catch (Exception ex)
        {
            // Their claims lapse after the lease and a sweep takes them then.
            LogReleaseFailed(logger, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handed-off events could not be released on stopping; their claims lapse and a sweep takes them")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Owed events could not be dispatched; trying again shortly")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception);
}
