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
/// marks its event owed; this dispatcher, woken at once by <see cref="OwedEvents"/> and sweeping on
/// a timer, claims owed events in batches, publishes them concurrently (each waits for the broker's
/// confirm) and clears their marks in one statement. A crash anywhere only delays an event: its mark
/// stays until the bus has confirmed it. Safe with many instances: claims are compare-and-swaps.
/// </summary>
public sealed partial class EventDispatcher(
    IServiceScopeFactory scopes, OwedEvents owed, IBus bus, IOptions<OutboxOptions> options, JobTimeline timeline, ILogger<EventDispatcher> logger)
    : BackgroundService
{
    public const string DispatchActivity = "headshot.dispatch";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            bool drained;
            try
            {
                drained = await DrainAsync(settings, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogDrainFailed(logger, ex);
                drained = false;
            }

            if (drained)
            {
                await owed.WaitAsync(settings.SweepInterval, stoppingToken);
            }
            else
            {
                // The broker or the store is failing: wakes would only spin; try again after a pause.
                await Task.Delay(settings.RetryDelay, stoppingToken);
            }
        }
    }

    /// <summary>
    /// Publishes batches until nothing claimable is owed. False when a whole batch failed (the
    /// broker is unreachable): then the caller pauses instead of spinning.
    /// </summary>
    public async Task<bool> DrainAsync(OutboxOptions settings, CancellationToken cancellationToken)
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

            var (confirmed, failed) = await PublishBatchAsync(store, batch, settings, cancellationToken);
            if (confirmed == 0 && failed > 0)
            {
                return false;
            }

            if (batch.Jobs.Count < settings.BatchSize)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Publishes one claimed batch concurrently, within half its lease (a publish that hangs must not
    /// outlive the claim, or another dispatcher would publish the same event meanwhile); clears what
    /// the broker confirmed, and hands the rest back: after <see cref="OutboxOptions.RetryDelay"/>
    /// when it failed (so one bad row does not hold up the others), at once when cut short by shutdown.
    /// </summary>
    private async Task<(int Confirmed, int Failed)> PublishBatchAsync(
        OwedEventStore store, OwedBatch batch, OutboxOptions settings, CancellationToken stoppingToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        limit.CancelAfter(settings.ClaimLease / 2);
        var published = await Task.WhenAll(batch.Jobs.Select(job => PublishAsync(job, limit.Token)));
        var confirmed = batch.Jobs.Where((_, i) => published[i]).Select(j => j.TrackId).ToList();
        var failed = batch.Jobs.Where((_, i) => !published[i]).Select(j => j.TrackId).ToList();

        // Not the stopping token: a shutdown must still record what the broker already has.
        if (confirmed.Count > 0)
        {
            await store.ClearAsync(confirmed, batch.ClaimedUntil, CancellationToken.None);
        }

        if (failed.Count > 0)
        {
            var retryAfter = stoppingToken.IsCancellationRequested ? TimeSpan.Zero : settings.RetryDelay;
            await store.ReleaseAsync(failed, batch.ClaimedUntil, retryAfter, CancellationToken.None);
        }

        return (confirmed.Count, failed.Count);
    }

    /// <summary>
    /// One event, in its request's own trace: the span is a child of the context saved by whatever
    /// settled the job (the callback, the poll, the submit), so Jaeger shows settle → publish → every
    /// subscriber's consume under the original request.
    /// </summary>
    private async Task<bool> PublishAsync(HeadShotJob job, CancellationToken cancellationToken)
    {
        using var span = HeadShotTelemetry.Continue(DispatchActivity, job);
        var messageId = EventIds.Terminal(job.RequestId);
        try
        {
            switch (TerminalEvents.From(job))
            {
                case HeadShotCompleted completed:
                    await bus.Publish(completed, context => context.MessageId = messageId, cancellationToken);
                    timeline.Published(job, messageId, nameof(HeadShotCompleted));
                    break;
                case HeadShotFailed failed:
                    await bus.Publish(failed, context => context.MessageId = messageId, cancellationToken);
                    timeline.Published(job, messageId, nameof(HeadShotFailed));
                    break;
            }

            return true;
        }
        catch (Exception ex)
        {
            // A failure or a cut-short publish: the event stays owed and is tried again.
            span.Activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            LogPublishFailed(logger, job.TrackId, ex.GetType().Name);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Terminal event of job {TrackId} could not be published ({Error}); it stays owed and is tried again")]
    private static partial void LogPublishFailed(ILogger logger, long trackId, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Owed events could not be dispatched; trying again shortly")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception);
}
