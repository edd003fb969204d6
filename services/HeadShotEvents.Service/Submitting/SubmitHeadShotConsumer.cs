using System.Diagnostics;
using HeadShotEvents.Contracts;
using HeadShotEvents.ModelsLab;
using HeadShotEvents.ModelsLab.Validation;
using HeadShotEvents.ModelsLab.Wire;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;
using MassTransit;

namespace HeadShotEvents.Service.Submitting;

/// <summary>
/// Turns a HeadShotRequested into one paid ModelsLab generation: validate, create the job, call
/// head_shot with a webhook URL and the job's track_id, record the answer.
/// </summary>
public sealed partial class SubmitHeadShotConsumer(
    JobStore store,
    JobOutcomes outcomes,
    WebhookTokens tokens,
    ModelsLabClient modelsLab,
    TimeProvider time,
    ILogger<SubmitHeadShotConsumer> logger) : IConsumer<HeadShotRequested>
{
    public async Task Consume(ConsumeContext<HeadShotRequested> context)
    {
        var request = context.Message;
        var ct = context.CancellationToken;
        var (job, created) = await store.CreateAsync(request, Activity.Current?.Id, Activity.Current?.TraceStateString, ct);

        if (!created && job.State != JobState.Accepted)
        {
            // A redelivery or a second publish of the same RequestId: never a second paid generation.
            LogDuplicate(logger, request.RequestId, job.State);
            await outcomes.PublishOwedAsync(job, ct);
            return;
        }

        var errors = HeadShotRequestValidator.Validate(request);
        if (errors.Count > 0)
        {
            await outcomes.FailAsync(job.TrackId, HeadShotFailureReason.ValidationRejected,
                "The request breaks ModelsLab's schema: " + string.Join(" ", errors.Values.SelectMany(e => e)), errors, null, ct);
            return;
        }

        var (_, claimed) = await store.ChangeAsync(job.TrackId, row =>
        {
            if (!Move(row, JobState.Accepted, JobState.Submitting))
            {
                return false;
            }

            // The trace to continue is this consume's, even when POST /headshots created the row.
            row.TraceParent = Activity.Current?.Id ?? row.TraceParent;
            row.TraceState = Activity.Current?.TraceStateString ?? row.TraceState;
            return true;
        }, ct);
        if (!claimed)
        {
            return;
        }

        ModelsLabAnswer answer;
        try
        {
            answer = await modelsLab.SubmitHeadShotAsync(request, job.TrackId, tokens.WebhookUrl(job.TrackId), ct);
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            // The connection never opened, so ModelsLab cannot have the request: safe to send again.
            await GiveBackAsync(context, job, $"ModelsLab could not be reached: {ex.HttpRequestError}.", null, ex);
            return;
        }
        catch (Exception ex) when (ex is TaskCanceledException or HttpRequestException && !ct.IsCancellationRequested)
        {
            // Sent, but no answer: ModelsLab may be generating it. Re-sending could pay twice; the
            // callback (or the reconciler) settles it.
            LogOutcomeUnknown(logger, request.RequestId, job.TrackId);
            await store.ChangeAsync(job.TrackId, row => Move(row, JobState.Submitting, JobState.OutcomeUnknown), ct);
            return;
        }

        await RecordAnswerAsync(context, job, answer, ct);
    }

    private async Task RecordAnswerAsync(ConsumeContext<HeadShotRequested> context, HeadShotJob job, ModelsLabAnswer answer, CancellationToken ct)
    {
        var response = answer.Response;
        switch (response.Status)
        {
            case ModelsLabStatus.Processing:
                await store.ChangeAsync(job.TrackId, row =>
                {
                    if (row.State != JobState.Submitting)
                    {
                        return false; // a fast webhook already settled it
                    }

                    row.State = JobState.Processing;
                    row.ModelsLabId = response.Id;
                    row.EtaSeconds = response.Eta;
                    row.SubmittedAt = time.GetUtcNow().UtcDateTime;
                    return true;
                }, ct);
                await context.Publish(new HeadShotSubmitted
                {
                    RequestId = job.RequestId,
                    TrackId = job.TrackId,
                    ModelsLabId = response.Id ?? "",
                    EstimatedSeconds = response.Eta,
                    FutureLinks = response.FutureLinks,
                    SubmittedAt = time.GetUtcNow(),
                    Metadata = job.Metadata,
                }, publish => publish.MessageId = EventIds.Submitted(job.RequestId), ct);
                break;

            case ModelsLabStatus.Success:
                await outcomes.CompleteAsync(job.TrackId, response.Output, response.Id, response.GenerationTime, HeadShotDelivery.Immediate, ct);
                break;

            case ModelsLabStatus.Error or ModelsLabStatus.Failed when answer.IsTransient:
                // 429 (queue full) and 5xx: ModelsLab did not take the job; the retry policy sends it again.
                await GiveBackAsync(context, job, $"ModelsLab answered HTTP {answer.HttpStatus}: {response.Message}", answer.RetryAfter, null);
                break;

            case ModelsLabStatus.Error or ModelsLabStatus.Failed:
                await outcomes.FailAsync(job.TrackId, HeadShotFailureReason.ModelsLabRejected,
                    response.Message ?? $"ModelsLab answered '{response.RawStatus}'.", response.FieldErrors, response.Id, ct);
                break;

            default:
                await outcomes.FailAsync(job.TrackId, HeadShotFailureReason.UnknownModelsLabStatus,
                    $"ModelsLab answered HTTP {answer.HttpStatus} with status '{response.RawStatus}': {response.Message}", null, response.Id, ct);
                break;
        }
    }

    /// <summary>
    /// ModelsLab did not take the request: hand it back to the retry policy, or, on the last
    /// attempt, fail it so the publisher hears about it instead of finding it only in _error.
    /// </summary>
    private async Task GiveBackAsync(ConsumeContext context, HeadShotJob job, string reason, TimeSpan? retryAfter, Exception? inner)
    {
        if (context.GetRetryAttempt() >= SubmitHeadShotConsumerDefinition.RetryLimit)
        {
            await outcomes.FailAsync(job.TrackId, HeadShotFailureReason.ModelsLabUnavailable, reason, null, null, context.CancellationToken);
            return;
        }

        await store.ChangeAsync(job.TrackId, row => Move(row, JobState.Submitting, JobState.Accepted), context.CancellationToken);
        throw inner is null ? new ModelsLabUnavailableException(reason, retryAfter) : new ModelsLabUnavailableException(reason, inner);
    }

    private static bool Move(HeadShotJob row, JobState from, JobState to)
    {
        if (row.State != from)
        {
            return false;
        }

        row.State = to;
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "HeadShotRequested {RequestId} again while its job is {State}: not submitted twice")]
    private static partial void LogDuplicate(ILogger logger, Guid requestId, JobState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "head_shot for {RequestId} (track_id {TrackId}) timed out after sending: outcome unknown, not re-sent")]
    private static partial void LogOutcomeUnknown(ILogger logger, Guid requestId, long trackId);
}
