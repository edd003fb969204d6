using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Timeline;

/// <summary>
/// Writes what <see cref="JobTimeline"/> buffered: it waits for the first entry, gathers more for at
/// most <see cref="TimelineOptions.FlushInterval"/> (or until <see cref="TimelineOptions.BatchSize"/>),
/// and stores them in one statement. A failing store is retried a few times, then the batch is
/// dropped and counted: the timeline is a log, and must never hold up the work it describes.
/// On shutdown it writes what is still buffered.
/// </summary>
public sealed partial class TimelineWriter(
    JobTimeline timeline, IServiceScopeFactory scopes, IOptions<TimelineOptions> options, TimelineMetrics metrics,
    ILogger<TimelineWriter> logger) : BackgroundService
{
    private const int Attempts = 3;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);

    private readonly List<TimelineRecord> _retry = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var reader = timeline.Reader;
        var batch = new List<TimelineRecord>(settings.BatchSize);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                await GatherAsync(batch, settings, stoppingToken);
                await FlushAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is buffered now is written below, without the stopping token.
        }

        timeline.Complete();
        batch.AddRange(_retry);
        _retry.Clear();
        while (reader.TryRead(out var record))
        {
            batch.Add(record);
            if (batch.Count >= settings.BatchSize)
            {
                await FlushAsync(batch, CancellationToken.None);
            }
        }

        await FlushAsync(batch, CancellationToken.None);
    }

    /// <summary>Takes what is buffered, waiting up to the flush interval for the batch to fill.</summary>
    private async Task GatherAsync(List<TimelineRecord> batch, TimelineOptions settings, CancellationToken stoppingToken)
    {
        batch.AddRange(_retry);
        _retry.Clear();
        var reader = timeline.Reader;
        var deadline = DateTime.UtcNow + settings.FlushInterval;
        while (batch.Count < settings.BatchSize)
        {
            while (batch.Count < settings.BatchSize && reader.TryRead(out var record))
            {
                batch.Add(record);
            }

            var left = deadline - DateTime.UtcNow;
            if (batch.Count >= settings.BatchSize || left <= TimeSpan.Zero)
            {
                return;
            }

            var more = reader.WaitToReadAsync(stoppingToken).AsTask();
            if (await Task.WhenAny(more, Task.Delay(left, stoppingToken)) != more || !await more)
            {
                return;
            }
        }
    }

    private async Task FlushAsync(List<TimelineRecord> batch, CancellationToken cancellationToken)
    {
        if (timeline.TakeDropped() is > 0 and var dropped)
        {
            LogDropped(logger, dropped);
        }

        if (batch.Count == 0)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var lost = await scope.ServiceProvider.GetRequiredService<TimelineStore>().AppendAsync(batch, cancellationToken);
                metrics.Written(batch.Count - lost.Count);
                // Slots another process took at the same moment: these go again with the next batch.
                _retry.AddRange(lost);
                break;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && attempt < Attempts)
            {
                LogRetrying(logger, batch.Count, ex.GetType().Name);
                await Task.Delay(RetryDelay, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogStoreFailed(logger, ex, batch.Count);
                foreach (var kind in batch.GroupBy(r => r.Kind))
                {
                    metrics.Dropped(kind.Key, "store-failed", kind.Count());
                }

                break;
            }
        }

        batch.Clear();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} timeline entries were dropped: the timeline buffer was full (Timeline:Capacity)")]
    private static partial void LogDropped(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} timeline entries could not be stored ({Error}); trying again")]
    private static partial void LogRetrying(ILogger logger, int count, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} timeline entries were dropped: the store kept failing")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception, int count);
}
