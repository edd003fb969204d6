using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using HeadShotEvents.Archiving.Downloads;
using HeadShotEvents.Archiving.Storage;
using HeadShotEvents.Contracts;
using MassTransit;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Archiving;

/// <summary>
/// Copies one request's outputs: download each (checked), store it under its deterministic key,
/// publish <see cref="HeadShotArchived"/>, then write the receipt that makes a redelivery a no-op.
/// A crash between the publish and the receipt publishes again with the same MessageId.
/// </summary>
public sealed partial class Archivist(
    OutputDownloader downloader,
    IArchiveStore store,
    IOptions<StorageOptions> storage,
    IOptions<ArchiveOptions> options,
    IParkingLot parking,
    TimeProvider clock,
    ArchiverMetrics metrics,
    ILogger<Archivist> logger)
{
    private readonly string _prefix = storage.Value.Prefix;

    public async Task ArchiveAsync(ConsumeContext<HeadShotCompleted> context)
    {
        var completed = context.Message;
        var cancellationToken = context.CancellationToken;
        using var activity = ArchiverTelemetry.Source.StartActivity("headshot.archive");
        activity?.SetTag(ArchiverTelemetry.RequestIdTag, completed.RequestId.ToString());
        activity?.SetTag("headshot.outputs", completed.Outputs.Count);

        if (await store.GetAsync(ObjectKeys.Receipt(_prefix, completed.RequestId), cancellationToken) is not null)
        {
            Finish(activity, "already-archived");
            LogAlreadyArchived(logger, completed.RequestId);
            return;
        }

        var holdUntil = clock.GetUtcNow() + options.Value.MaxHold;
        var images = new List<ArchivedImage>(completed.Outputs.Count);
        for (var index = 0; index < completed.Outputs.Count; index++)
        {
            var source = completed.Outputs[index];
            DownloadResult result;
            using (var download = ArchiverTelemetry.Source.StartActivity("headshot.archive.download"))
            {
                download?.SetTag("headshot.output_index", index);
                result = await downloader.DownloadAsync(source, completed.OutputsExpireAt, holdUntil, cancellationToken);
                download?.SetTag("headshot.download.attempts", AttemptsOf(result));
                download?.SetTag("headshot.download.result", result.GetType().Name);
            }

            switch (result)
            {
                case DownloadResult.Failed failed:
                    await PublishFailureAsync(context, failed.Reason, failed.Message, index);
                    Finish(activity, "failed", ActivityStatusCode.Error);
                    return;
                case DownloadResult.Deferred deferred:
                    LogParked(logger, completed.RequestId, index, deferred.Attempts, deferred.LastError, options.Value.ParkDelay);
                    await parking.ParkAsync(context);
                    Finish(activity, "parked");
                    return;
                case DownloadResult.Downloaded downloaded:
                    images.Add(await StoreAsync(completed.RequestId, index, source, downloaded, cancellationToken));
                    break;
            }
        }

        var archived = new HeadShotArchived
        {
            RequestId = completed.RequestId,
            Images = images,
            ArchivedAt = clock.GetUtcNow(),
            Metadata = completed.Metadata,
        };
        await context.Publish(archived, publish => publish.MessageId = ArchiveEventIds.Archived(completed.RequestId), cancellationToken);
        await store.PutAsync(ObjectKeys.Receipt(_prefix, completed.RequestId), JsonSerializer.SerializeToUtf8Bytes(archived),
            "application/json", "", cancellationToken);
        Finish(activity, "archived");
        LogArchived(logger, completed.RequestId, images.Count);
    }

    private async Task<ArchivedImage> StoreAsync(Guid requestId, int index, string source, DownloadResult.Downloaded downloaded, CancellationToken cancellationToken)
    {
        using var activity = ArchiverTelemetry.Source.StartActivity("headshot.archive.store");
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(downloaded.Content));
        var key = ObjectKeys.Image(_prefix, requestId, index, downloaded.Image.Extension);
        activity?.SetTag("headshot.archive.key", key);
        var url = await store.PutAsync(key, downloaded.Content, downloaded.Image.ContentType, sha256, cancellationToken);
        metrics.Stored(downloaded.Content.Length);
        return new ArchivedImage
        {
            Index = index,
            Key = key,
            Url = url,
            SourceUrl = source,
            ContentType = downloaded.Image.ContentType,
            SizeBytes = downloaded.Content.Length,
            Sha256 = sha256,
            Width = downloaded.Image.Width,
            Height = downloaded.Image.Height,
        };
    }

    private async Task PublishFailureAsync(ConsumeContext<HeadShotCompleted> context, HeadShotArchiveFailureReason reason, string message, int index)
    {
        var completed = context.Message;
        LogFailed(logger, completed.RequestId, index, reason, message);
        await context.Publish(new HeadShotArchiveFailed
        {
            RequestId = completed.RequestId,
            Reason = reason,
            Message = message,
            OutputIndex = index,
            FailedAt = clock.GetUtcNow(),
            Metadata = completed.Metadata,
        }, publish => publish.MessageId = ArchiveEventIds.ArchiveFailed(completed.RequestId), context.CancellationToken);
    }

    private void Finish(Activity? activity, string outcome, ActivityStatusCode status = ActivityStatusCode.Ok)
    {
        activity?.SetTag(ArchiverTelemetry.OutcomeTag, outcome);
        activity?.SetStatus(status);
        metrics.Outcome(outcome);
    }

    private static int AttemptsOf(DownloadResult result) => result switch
    {
        DownloadResult.Downloaded d => d.Attempts,
        DownloadResult.Failed f => f.Attempts,
        DownloadResult.Deferred d => d.Attempts,
        _ => 0,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Archived {Count} image(s) of request {RequestId}")]
    private static partial void LogArchived(ILogger logger, Guid requestId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request {RequestId} is already archived; nothing to do")]
    private static partial void LogAlreadyArchived(ILogger logger, Guid requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Archiving request {RequestId} failed at output {Index}: {Reason} ({Why})")]
    private static partial void LogFailed(ILogger logger, Guid requestId, int index, HeadShotArchiveFailureReason reason, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Output {Index} of request {RequestId} still fails after {Attempts} attempts ({Why}); parked for {Delay}")]
    private static partial void LogParked(ILogger logger, Guid requestId, int index, int attempts, string why, TimeSpan delay);
}
