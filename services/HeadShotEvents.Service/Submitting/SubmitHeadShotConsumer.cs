using System.Diagnostics;
using HeadShotEvents.Contracts;
using HeadShotEvents.ModelsLab;
using HeadShotEvents.ModelsLab.Validation;
using HeadShotEvents.ModelsLab.Wire;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Telemetry;
using MassTransit;

namespace HeadShotEvents.Service.Submitting;

/// <summary>
/// Turns a HeadShotRequested into one paid ModelsLab generation: validate, create the job, call
/// head_shot with a webhook URL and the job's track_id, record the answer.
/// </summary>
public sealed partial class SubmitHeadShotConsumer(
    JobStore store,
    SubmitPathStore submitPath,
    JobOutcomes outcomes,
    WebhookTokens tokens,
    ModelsLabClient modelsLab,
    TimeProvider time,
    HeadShotMetrics metrics,
    ModelsLabQueue queue,
    SubmissionRecords records,
    ILogger<SubmitHeadShotConsumer> logger) : IConsumer<HeadShotRequested>
{
    public async Task Consume(ConsumeContext<HeadShotRequested> context)
    {
        var request = context.Message;
        var ct = context.CancellationToken;
        var errors = HeadShotRequestValidator.Validate(request);

        // A valid request is created already claimed for sending while ModelsLab has room by this
        // process's last count: one statement instead of two, and its commit shared with every
        // other request consumed at the same moment (SubmitPathStore).
        var slot = errors.Count == 0 && queue.TryTakeSlot();
        HeadShotJob job;
        bool created;
        try
        {
            (job, created) = await submitPath.CreateAsync(request, Activity.Current?.Id, Activity.Current?.TraceStateString, slot, ct);
        }
        catch (Exception ex) when (slot)
        {
            // The row may have been written claimed all the same: hand it back as Accepted, or the
            // retry would find it Submitting, take it for a duplicate, and nobody would ever send it.
            await ReleaseUnsentClaimAsync(request.RequestId, ex);
            throw;
        }
        finally
        {
            if (slot)
            {
                queue.SlotUsed();
            }
        }

        HeadShotTelemetry.Tag(Activity.Current, job);

        if (!created && job.State != JobState.Accepted)
        {
            // A redelivery or a second publish of the same RequestId: never a second paid generation.
            LogDuplicate(logger, request.RequestId, job.State);
            outcomes.PublishOwed(job);
            return;
        }

        if (errors.Count > 0)
        {
            await outcomes.FailAsync(job, HeadShotFailureReason.ValidationRejected,
                "The request breaks ModelsLab's schema: " + string.Join(" ", errors.Values.SelectMany(e => e)), errors, null, ct);
            return;
        }

        if (job.State == JobState.Accepted)
        {
            // Created by POST /headshots (or without a slot): claimed here, once ModelsLab has room.
            switch (await queue.ClaimAsync(job, ct))
            {
                case SubmitClaim.TakenByAnother:
                    return;
                case SubmitClaim.NoRoom:
                    await GiveBackAsync(context, job, JobState.Accepted, $"ModelsLab's queue stayed full ({ModelsLabQueue.MaxWait}).", null, null);
                    return;
            }
        }

        ModelsLabAnswer answer;
        try
        {
            answer = await modelsLab.SubmitHeadShotAsync(request, job.TrackId, tokens.WebhookUrl(job.TrackId), ct);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            // The connection never opened, so ModelsLab cannot have the request: safe to send again.
            await GiveBackAsync(context, job, JobState.Submitting, $"ModelsLab could not be reached: {ex.HttpRequestError}.", null, ex);
            return;
        }
        catch (Exception ex) when (ex is TaskCanceledException or HttpRequestException && !ct.IsCancellationRequested)
        {
            // Sent, but no answer: ModelsLab may be generating it. Re-sending could pay twice; the
            // callback (or the reconciler) settles it.
            LogOutcomeUnknown(logger, request.RequestId, job.TrackId);
            await records.RecordUnknownAsync(job, null, ct);
            return;
        }

        await RecordAnswerAsync(context, job, answer, ct);
    }

    private async Task RecordAnswerAsync(ConsumeContext<HeadShotRequested> context, HeadShotJob job, ModelsLabAnswer answer, CancellationToken ct)
    {
        var response = answer.Response;
        Activity.Current?.SetTag("modelslab.status", response.RawStatus);
        if (response.Status is ModelsLabStatus.Processing or ModelsLabStatus.Success)
        {
            metrics.Submitted();
        }

        switch (response.Status)
        {
            case ModelsLabStatus.Processing:
            // "success" without images is no result yet: queued like processing, so the webhook or a poll brings them.
            case ModelsLabStatus.Success when response.IsSuccessWithoutOutputs:
                await RecordProcessingAsync(context, job, response, ct);
                break;

            case ModelsLabStatus.Success:
                await outcomes.CompleteAsync(job, response.Output, response.Id, response.GenerationTime, HeadShotDelivery.Immediate, ct);
                break;

            case ModelsLabStatus.Error or ModelsLabStatus.Failed when answer.HttpStatus == 429:
                // Queue full: ModelsLab did not take the job; the retry policy sends it again.
                await GiveBackAsync(context, job, JobState.Submitting, $"ModelsLab answered HTTP 429: {response.Message}", answer.RetryAfter, null);
                break;

            case ModelsLabStatus.Error or ModelsLabStatus.Failed when answer.HttpStatus < 500:
                await outcomes.FailAsync(job, HeadShotFailureReason.ModelsLabRejected,
                    response.Message ?? $"ModelsLab answered '{response.RawStatus}'.", response.FieldErrors, response.Id, ct);
                break;

            default:
                // A 5xx or a status nobody knows: ModelsLab may have queued (and charged) it anyway.
                // Re-sending could pay twice, so the callback or the reconciler settles it.
                LogOutcomeUnknown(logger, job.RequestId, job.TrackId);
                await records.RecordUnknownAsync(job, response.Id, ct);
                break;
        }
    }

    /// <summary>Queued at ModelsLab: announce it, unless a fast callback settled the job first.</summary>
    private async Task RecordProcessingAsync(ConsumeContext context, HeadShotJob job, ModelsLabResponse response, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (await records.RecordQueuedAsync(job, response, now, ct))
        {
            await context.Publish(new HeadShotSubmitted
            {
                RequestId = job.RequestId,
                TrackId = job.TrackId,
                ModelsLabId = response.Id ?? "",
                EstimatedSeconds = response.Eta,
                FutureLinks = response.FutureLinks,
                SubmittedAt = now,
                Metadata = job.Metadata,
            }, publish => publish.MessageId = EventIds.Submitted(job.RequestId), ct);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HeadShotRequested {RequestId} again while its job is {State}: not submitted twice")]
    private static partial void LogDuplicate(ILogger logger, Guid requestId, JobState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HeadShotRequested {RequestId}: creating its job failed ({Failure}) and a job it may have written claimed could not be handed back; if so it fails at the deadline")]
    private static partial void LogClaimNotReleased(ILogger logger, Guid requestId, string failure, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "head_shot for {RequestId} (track_id {TrackId}) has an unknown outcome (timeout, 5xx or unknown status): not re-sent")]
    private static partial void LogOutcomeUnknown(ILogger logger, Guid requestId, long trackId);
}
