using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using MassTransit;

namespace HeadShotEvents.Service.Outcomes;

/// <summary>Whether a result changed the job or found it already settled.</summary>
public enum OutcomeApplied
{
    /// <summary>This call made the one terminal transition and published its event.</summary>
    Applied,

    /// <summary>The job was already terminal: nothing new was published (unless its event was still owed).</summary>
    AlreadyTerminal,

    /// <summary>No such job.</summary>
    NotFound,
}

/// <summary>
/// The one way a job becomes terminal, whichever path brings the result (immediate answer,
/// webhook, poll, deadline): a conditional transition, then the event, then clearing the
/// "event owed" mark. If publishing fails the mark stays, and the next attempt publishes it.
/// </summary>
public sealed class JobOutcomes(JobStore store, IPublishEndpoint publisher, TimeProvider time)
{
    /// <summary>ModelsLab deletes outputs 24 hours after generation.</summary>
    public static readonly TimeSpan OutputLifetime = TimeSpan.FromHours(24);

    public Task<OutcomeApplied> CompleteAsync(
        long trackId, IReadOnlyList<string> outputs, string? modelsLabId, double? generationSeconds,
        HeadShotDelivery delivery, CancellationToken cancellationToken) =>
        SettleAsync(trackId, job =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            job.State = JobState.Completed;
            job.Outputs = [.. outputs];
            job.ModelsLabId ??= modelsLabId;
            job.GenerationSeconds = generationSeconds;
            job.Delivery = delivery;
            job.FinishedAt = now;
            job.OutputsExpireAt = now + OutputLifetime;
        }, cancellationToken);

    public Task<OutcomeApplied> FailAsync(
        long trackId, HeadShotFailureReason reason, string message, IReadOnlyDictionary<string, string[]>? fieldErrors,
        string? modelsLabId, CancellationToken cancellationToken) =>
        SettleAsync(trackId, job =>
        {
            job.State = JobState.Failed;
            job.FailureReason = reason;
            job.FailureMessage = message;
            job.FieldErrors = fieldErrors is { Count: > 0 } ? new Dictionary<string, string[]>(fieldErrors) : null;
            job.ModelsLabId ??= modelsLabId;
            job.FinishedAt = time.GetUtcNow().UtcDateTime;
        }, cancellationToken);

    /// <summary>Publishes a terminal event still owed by an earlier attempt, if any.</summary>
    public async Task PublishOwedAsync(HeadShotJob job, CancellationToken cancellationToken)
    {
        if (job.State.IsTerminal() && job.TerminalEventPending)
        {
            await PublishAndClearAsync(job, cancellationToken);
        }
    }

    private async Task<OutcomeApplied> SettleAsync(long trackId, Action<HeadShotJob> settle, CancellationToken cancellationToken)
    {
        var (job, changed) = await store.ChangeAsync(trackId, job =>
        {
            if (job.State.IsTerminal())
            {
                return false;
            }

            settle(job);
            job.TerminalEventPending = true;
            return true;
        }, cancellationToken);

        if (job is null)
        {
            return OutcomeApplied.NotFound;
        }

        if (!changed)
        {
            await PublishOwedAsync(job, cancellationToken);
            return OutcomeApplied.AlreadyTerminal;
        }

        await PublishAndClearAsync(job, cancellationToken);
        return OutcomeApplied.Applied;
    }

    private async Task PublishAndClearAsync(HeadShotJob job, CancellationToken cancellationToken)
    {
        var messageId = EventIds.Terminal(job.RequestId);
        switch (TerminalEvents.From(job))
        {
            case HeadShotCompleted completed:
                await publisher.Publish(completed, context => context.MessageId = messageId, cancellationToken);
                break;
            case HeadShotFailed failed:
                await publisher.Publish(failed, context => context.MessageId = messageId, cancellationToken);
                break;
        }

        await store.ChangeAsync(job.TrackId, row =>
        {
            var owed = row.TerminalEventPending;
            row.TerminalEventPending = false;
            return owed;
        }, cancellationToken);
    }
}
