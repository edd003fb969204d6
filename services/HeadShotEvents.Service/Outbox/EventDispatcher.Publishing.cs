using System.Diagnostics;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Telemetry;
using MassTransit;

namespace HeadShotEvents.Service.Outbox;

/// <summary>The publishing of owed events: one event (both paths), and a swept batch.</summary>
public sealed partial class EventDispatcher
{
    /// <summary>
    /// Publishes one swept batch concurrently, within the first half of its claim (a publish that
    /// hangs must not outlive the claim, or another dispatcher would publish the same event
    /// meanwhile); clears what the broker confirmed, and hands the rest back:
    /// after <see cref="OutboxOptions.RetryDelay"/> when it failed (so one bad row does not hold up the
    /// others), at once when cut short by shutdown.
    /// </summary>
    private async Task<(int Confirmed, int Failed)> PublishBatchAsync(
        OwedEventStore store, IReadOnlyList<OwedEvent> events, OutboxOptions settings, CancellationToken stoppingToken)
    {
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        cut.CancelAfter(settings.ClaimLease / 2);
        var published = await Task.WhenAll(events.Select(e => PublishAsync(e.Job, cut.Token)));
        var confirmed = events.Where((_, i) => published[i]).ToList();
        var failed = events.Where((_, i) => !published[i]).ToList();

        // Not the stopping token: a shutdown must still record what the broker already has.
        if (confirmed.Count > 0)
        {
            await store.ClearAsync(confirmed, CancellationToken.None);
        }

        if (failed.Count > 0)
        {
            var retryAfter = stoppingToken.IsCancellationRequested ? TimeSpan.Zero : settings.RetryDelay;
            await store.ReleaseAsync(failed, retryAfter, CancellationToken.None);
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
}
