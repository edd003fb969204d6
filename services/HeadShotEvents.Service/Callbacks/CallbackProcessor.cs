using HeadShotEvents.Contracts;
using HeadShotEvents.ModelsLab.Wire;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Telemetry;

namespace HeadShotEvents.Service.Callbacks;

/// <summary>The result of one callback: an HTTP status for ModelsLab and a name for logs and metrics.</summary>
public sealed record CallbackOutcome(int Status, string Name, string Title = "", string Detail = "")
{
    public static readonly CallbackOutcome Completed = new(200, "completed");
    public static readonly CallbackOutcome Failed = new(200, "failed");
    public static readonly CallbackOutcome Duplicate = new(200, "duplicate");
    public static readonly CallbackOutcome StillProcessing = new(200, "processing");

    /// <summary>"success" without images: nothing to publish yet; the job is polled soon instead.</summary>
    public static readonly CallbackOutcome NoOutputs = new(200, "no-outputs");

    public static CallbackOutcome Rejected(int status, string name, string title, string detail) => new(status, name, title, detail);

    /// <summary>A forged token and a token naming no job look the same from outside, on purpose.</summary>
    public static CallbackOutcome UnknownJob(string name) =>
        new(404, name, "Unknown webhook", "No job is known under this webhook URL.");
}

/// <summary>Correlates an authenticated callback to its job and applies it.</summary>
public sealed partial class CallbackProcessor(
    JobStore store, HotPathStore hotPath, JobOutcomes outcomes, HeadShotMetrics metrics, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<Reconciling.ReconcilerOptions> reconciler, ILogger<CallbackProcessor> logger)
{
    /// <summary>
    /// ModelsLab gives a webhook 30 seconds. A database that does not answer within this
    /// budget gets ModelsLab a 503 in time (so it may retry) instead of a dropped connection. The
    /// broker is not on this path: the event is owed in the same write and the dispatcher sends it.
    /// </summary>
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    public async Task<CallbackOutcome> ProcessAsync(long trackId, ModelsLabResponse callback, CancellationToken requestAborted)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        budget.CancelAfter(Budget);
        var cancellationToken = budget.Token;
        try
        {
            var job = await hotPath.FindAsync(trackId, cancellationToken);
            if (job is null)
            {
                return CallbackOutcome.UnknownJob("unknown-job");
            }

            if (Mismatch(job, callback) is { } mismatch)
            {
                return CallbackOutcome.Rejected(422, "mismatch", "Callback does not match its job", mismatch);
            }

            // Authenticated and correlated: from here on the work belongs to the request's own trace.
            using var span = HeadShotTelemetry.Continue(HeadShotTelemetry.CallbackActivity, job);

            var applied = callback.Status switch
            {
                ModelsLabStatus.Success when callback.IsSuccessWithoutOutputs => await PollSoonAsync(job, callback, cancellationToken),
                ModelsLabStatus.Success => await outcomes.CompleteAsync(
                    job, callback.Output, callback.Id, callback.GenerationTime, HeadShotDelivery.Webhook, cancellationToken),
                ModelsLabStatus.Failed or ModelsLabStatus.Error => await outcomes.FailAsync(
                    job, HeadShotFailureReason.GenerationFailed, callback.Message ?? $"ModelsLab reported '{callback.RawStatus}'.",
                    callback.FieldErrors, callback.Id, cancellationToken),
                ModelsLabStatus.Processing => await NoteProcessingAsync(job, callback, cancellationToken),
                _ => (OutcomeApplied?)null,
            };

            if (applied == OutcomeApplied.Applied && callback.IsTerminal && job is { SubmittedAt: { } submitted, EtaSeconds: { } eta })
            {
                metrics.CallbackLateness(time.GetUtcNow().UtcDateTime - submitted - TimeSpan.FromSeconds(eta));
            }

            var outcome = (callback.Status, applied) switch
            {
                (_, null) => CallbackOutcome.Rejected(422, "unknown-status", "Unknown status",
                    $"The callback's status '{callback.RawStatus}' is not one of success, processing, failed, error."),
                (ModelsLabStatus.Processing, _) => CallbackOutcome.StillProcessing,
                (_, OutcomeApplied.AlreadyTerminal) => CallbackOutcome.Duplicate,
                (_, OutcomeApplied.NotFound) => CallbackOutcome.UnknownJob("unknown-job"),
                _ when callback.IsSuccessWithoutOutputs => CallbackOutcome.NoOutputs,
                (ModelsLabStatus.Success, _) => CallbackOutcome.Completed,
                _ => CallbackOutcome.Failed,
            };
            span.Activity?.SetTag(HeadShotTelemetry.OutcomeTag, outcome.Name);
            return outcome;
        }
        catch (Exception ex) when (!requestAborted.IsCancellationRequested)
        {
            // The change may or may not be durable: a 5xx makes ModelsLab (or the reconciler) try again,
            // and a job already settled answers the retry as a duplicate.
            LogUnavailable(logger, trackId, ex.GetType().Name);
            return CallbackOutcome.Rejected(503, "unavailable", "Temporarily unavailable", "The callback could not be recorded; try again later.");
        }
    }

    /// <summary>The body must name the same job as the token: its track_id and ModelsLab id, when it gives them.</summary>
    private static string? Mismatch(HeadShotJob job, ModelsLabResponse callback)
    {
        if (callback.TrackId is null && callback.Id is null)
        {
            return "The callback names neither a track_id nor an id.";
        }

        if (callback.TrackId is { } trackId && trackId != job.TrackId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            return "The callback's track_id is not this job's.";
        }

        if (callback.Id is { } id && job.ModelsLabId is { } known && id != known)
        {
            return "The callback's id is not this job's.";
        }

        return null;
    }

    /// <summary>A processing callback changes nothing, except to learn ModelsLab's id when the submit's answer was lost.</summary>
    private async Task<OutcomeApplied?> NoteProcessingAsync(HeadShotJob job, ModelsLabResponse callback, CancellationToken cancellationToken)
    {
        if (job.ModelsLabId is null && callback.Id is { } id && job.State is JobState.Submitting or JobState.OutcomeUnknown)
        {
            await store.ChangeAsync(job.TrackId, row =>
            {
                if (row.State is not (JobState.Submitting or JobState.OutcomeUnknown))
                {
                    return false;
                }

                row.ModelsLabId = id;
                row.State = JobState.Processing;
                return true;
            }, cancellationToken);
        }

        return OutcomeApplied.Applied;
    }

    /// <summary>
    /// "success" without images: ModelsLab's outputs can lag its status, so fetch is asked again
    /// soon (and the reconciler fails the job as GenerationFailed if images never come).
    /// Nothing else changes, except learning ModelsLab's id when the submit's answer was lost.
    /// </summary>
    private async Task<OutcomeApplied?> PollSoonAsync(HeadShotJob job, ModelsLabResponse callback, CancellationToken cancellationToken)
    {
        var settings = reconciler.Value;
        var (row, _) = await store.ChangeAsync(job.TrackId, row =>
        {
            var soon = settings.NotAfterDeadline(row, time.GetUtcNow().UtcDateTime + settings.InitialBackoff);
            if (row.State.IsTerminal() || (row.NextPollAt <= soon && row.ModelsLabId is not null))
            {
                return false;
            }

            if (row.ModelsLabId is null && callback.Id is { } id && row.State is JobState.Submitting or JobState.OutcomeUnknown)
            {
                row.ModelsLabId = id;
                row.State = JobState.Processing;
            }

            row.NextPollAt = row.NextPollAt < soon ? row.NextPollAt : soon;
            return true;
        }, cancellationToken);
        return row is null ? OutcomeApplied.NotFound : row.State.IsTerminal() ? OutcomeApplied.AlreadyTerminal : OutcomeApplied.Applied;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Callback for job {TrackId} could not be recorded ({Error}); answered 503")]
    private static partial void LogUnavailable(ILogger logger, long trackId, string error);
}
