using System.Diagnostics;
using HeadShotEvents.Contracts;
using HeadShotEvents.ModelsLab;
using HeadShotEvents.ModelsLab.Wire;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Telemetry;
using HeadShotEvents.Service.Timeline;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Reconciling;

/// <summary>
/// ModelsLab's webhooks are best-effort; fetch is the documented fallback. Jobs whose callback is
/// overdue are polled with backoff; past the deadline they fail as TimedOut. Safe with several
/// instances running. (Owed terminal events are the outbox dispatcher's.)
/// </summary>
public sealed partial class Reconciler(
    IServiceScopeFactory scopes, IOptions<ReconcilerOptions> options, TimeProvider time, JobTimeline timeline, ILogger<Reconciler> logger)
    : BackgroundService
{
    public const string PollActivity = "headshot.poll";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogRoundFailed(logger, ex.GetType().Name, ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One round: claim the due jobs, settle or reschedule each. Returns how many jobs it looked at.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();
        var outcomes = scope.ServiceProvider.GetRequiredService<JobOutcomes>();
        var settings = options.Value;

        var due = await store.ClaimDueAsync(settings.BatchSize, settings.ClaimLease, cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }

        // The round's own span: each poll links to it from inside its request's trace.
        using var round = HeadShotTelemetry.Source.StartActivity("headshot.reconcile", ActivityKind.Internal, parentContext: default);
        var modelsLab = scope.ServiceProvider.GetRequiredService<ModelsLabClient>();
        // One job's failure must not stop the others: they are claimed, and an aborted round would
        // leave them hidden for a whole lease, past their deadline. The failed one is retried when its lease ends.
        foreach (var job in due)
        {
            try
            {
                await PollAsync(job, store, outcomes, modelsLab, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogJobFailed(logger, ex, job.TrackId);
            }
        }

        return due.Count;
    }

    private async Task PollAsync(HeadShotJob job, JobStore store, JobOutcomes outcomes, ModelsLabClient modelsLab, CancellationToken ct)
    {
        using var span = HeadShotTelemetry.Continue(PollActivity, job);
        var settings = options.Value;

        // A job without ModelsLab's id (the submit's answer was lost) cannot be fetched: only a
        // callback, which names the id, or the deadline can settle it.
        var answer = job.ModelsLabId is null ? PollAnswer.Pending : await FetchAndSettleAsync(job, outcomes, modelsLab, span.Activity, ct);
        if (answer == PollAnswer.Settled)
        {
            return;
        }

        if (answer == PollAnswer.SuccessWithoutOutputs && time.GetUtcNow().UtcDateTime >= settings.DeadlineOf(job))
        {
            // ModelsLab says it is done, but gave nothing to publish: its failure, not a silence.
            span.Activity?.SetTag(HeadShotTelemetry.OutcomeTag, "no-outputs");
            await outcomes.FailAsync(job, HeadShotFailureReason.GenerationFailed,
                $"ModelsLab reported success but gave no output images within {settings.Deadline}.", null, job.ModelsLabId, ct,
                onlyIf: row => time.GetUtcNow().UtcDateTime >= settings.DeadlineOf(row));
            return;
        }

        if (time.GetUtcNow().UtcDateTime >= settings.DeadlineOf(job))
        {
            span.Activity?.SetTag(HeadShotTelemetry.OutcomeTag, "timed-out");
            // Re-checked on the current row: a delivery may have just sent a job that was waiting.
            await outcomes.FailAsync(job, HeadShotFailureReason.TimedOut,
                $"Neither a webhook nor a poll brought an outcome within {settings.Deadline}.", null, null, ct,
                onlyIf: row => time.GetUtcNow().UtcDateTime >= settings.DeadlineOf(row));
            return;
        }

        await RescheduleAsync(job, store, ct);
    }

    private enum PollAnswer
    {
        Pending,
        Settled,

        /// <summary>"success" with no usable output: polled again, and a failure (not a timeout) at the deadline.</summary>
        SuccessWithoutOutputs,
    }

    /// <summary>Polls fetch once and settles the job when the answer is a result.</summary>
    private async Task<PollAnswer> FetchAndSettleAsync(HeadShotJob job, JobOutcomes outcomes, ModelsLabClient modelsLab, Activity? span, CancellationToken ct)
    {
        ModelsLabAnswer answer;
        // Taken before the call: a poll that settles the job must read before its Settled entry.
        var polledAt = time.GetUtcNow().UtcDateTime;
        try
        {
            answer = await modelsLab.FetchAsync(job.ModelsLabId!, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            LogFetchFailed(logger, job.TrackId, ex.GetType().Name);
            timeline.Poll(job.TrackId, polledAt, "unreachable", $"fetch failed ({ex.GetType().Name}); polled again later.");
            return PollAnswer.Pending;
        }

        var response = answer.Response;
        timeline.Poll(job.TrackId, polledAt, response.IsSuccessWithoutOutputs ? "no-outputs" : response.RawStatus ?? "unknown",
            $"HTTP {answer.HttpStatus}");
        span?.SetTag("modelslab.status", response.RawStatus);
        switch (response.Status)
        {
            case ModelsLabStatus.Success when response.IsSuccessWithoutOutputs:
                return PollAnswer.SuccessWithoutOutputs;
            case ModelsLabStatus.Success:
                await outcomes.CompleteAsync(job, response.Output, response.Id, response.GenerationTime, HeadShotDelivery.Poll, ct);
                return PollAnswer.Settled;
            case ModelsLabStatus.Error or ModelsLabStatus.Failed when !answer.IsTransient:
                await outcomes.FailAsync(job, HeadShotFailureReason.GenerationFailed,
                    response.Message ?? $"ModelsLab's fetch answered '{response.RawStatus}'.", response.FieldErrors, response.Id, ct);
                return PollAnswer.Settled;
            default:
                return PollAnswer.Pending;
        }
    }

    /// <summary>Still processing (or not answerable now): look again later, backing off with jitter.</summary>
    private async Task RescheduleAsync(HeadShotJob job, JobStore store, CancellationToken ct)
    {
        var settings = options.Value;
        await store.ChangeAsync(job.TrackId, row =>
        {
            if (row.State.IsTerminal())
            {
                return false;
            }

            var backoff = settings.InitialBackoff * Math.Pow(2, Math.Min(row.PollAttempts, 20));
            var capped = backoff < settings.MaxBackoff ? backoff : settings.MaxBackoff;
            row.PollAttempts++;
            row.NextPollAt = settings.NotAfterDeadline(row,
                time.GetUtcNow().UtcDateTime + capped * (0.8 + (Random.Shared.NextDouble() * 0.4)));
            return true;
        }, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciler round failed ({Error}: {Detail}); trying again next round")]
    private static partial void LogRoundFailed(ILogger logger, string error, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciling job {TrackId} failed; the other jobs of the round go on, this one is retried when its claim lapses")]
    private static partial void LogJobFailed(ILogger logger, Exception exception, long trackId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetch for job {TrackId} failed ({Error}); polled again later")]
    private static partial void LogFetchFailed(ILogger logger, long trackId, string error);
}
