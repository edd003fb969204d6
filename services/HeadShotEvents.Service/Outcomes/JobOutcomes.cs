using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using System.Diagnostics;
using HeadShotEvents.Service.Telemetry;
using HeadShotEvents.ModelsLab.Validation;
using HeadShotEvents.Service.Callbacks;
using MassTransit;
using Microsoft.Extensions.Options;

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

    /// <summary>The caller's condition no longer held on the current row (another delivery moved it on): nothing changed.</summary>
    NoLongerApplies,
}

/// <summary>
/// The one way a job becomes terminal, whichever path brings the result (immediate answer,
/// webhook, poll, deadline): a conditional transition, then the event, then clearing the
/// "event owed" mark. If publishing fails the mark stays, and the next attempt publishes it.
/// </summary>
public sealed class JobOutcomes(
    JobStore store, IPublishEndpoint publisher, HeadShotMetrics metrics, IOptions<WebhookOptions> webhooks, TimeProvider time)
{
    /// <summary>ModelsLab deletes outputs 24 hours after generation.</summary>
    public static readonly TimeSpan OutputLifetime = TimeSpan.FromHours(24);

    /// <summary>How long one attempt may hold the claim to publish a job's event before another may take it over.</summary>
    public static readonly TimeSpan PublishLease = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Completes the job, unless its outputs break the URL rules: subscribers download them, so an
    /// immediate answer or a poll gets the same scrutiny as a webhook (where the receiver already
    /// refused them with 422).
    /// </summary>
    public Task<OutcomeApplied> CompleteAsync(
        long trackId, IReadOnlyList<string> outputs, string? modelsLabId, double? generationSeconds,
        HeadShotDelivery delivery, CancellationToken cancellationToken) =>
        UnsafeOutputs(outputs) is { } why
            ? FailAsync(trackId, HeadShotFailureReason.GenerationFailed, $"ModelsLab's result was not passed on: {why}", null, modelsLabId, cancellationToken)
            : SettleAsync(trackId, null, job =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            job.State = JobState.Completed;
            job.Outputs = [.. outputs.Select(ImageUrl.Normalised)];
            job.ModelsLabId ??= modelsLabId;
            job.GenerationSeconds = generationSeconds;
            job.Delivery = delivery;
            job.FinishedAt = now;
            job.OutputsExpireAt = now + OutputLifetime;
        }, cancellationToken);

    /// <summary>
    /// Fails the job. <paramref name="onlyIf"/> is checked on the row as it stands inside the
    /// compare-and-swap: a caller that decided on an older read (the row was still Accepted, the
    /// deadline had passed) must not fail a job another delivery has since sent to ModelsLab.
    /// </summary>
    public Task<OutcomeApplied> FailAsync(
        long trackId, HeadShotFailureReason reason, string message, IReadOnlyDictionary<string, string[]>? fieldErrors,
        string? modelsLabId, CancellationToken cancellationToken, Func<HeadShotJob, bool>? onlyIf = null) =>
        SettleAsync(trackId, onlyIf, job =>
        {
            job.State = JobState.Failed;
            job.FailureReason = reason;
            job.FailureMessage = message;
            job.FieldErrors = fieldErrors is { Count: > 0 } ? new Dictionary<string, string[]>(fieldErrors) : null;
            job.ModelsLabId ??= modelsLabId;
            job.FinishedAt = time.GetUtcNow().UtcDateTime;
        }, cancellationToken);

    private string? UnsafeOutputs(IReadOnlyList<string> outputs)
    {
        var options = webhooks.Value;
        if (outputs.Count > options.MaxOutputs)
        {
            return $"{outputs.Count} output URLs, more than the {options.MaxOutputs} accepted.";
        }

        var rules = options.OutputRules();
        return outputs.Select((url, index) => ImageUrl.Check(url, rules) is { } why ? $"output {index}: {why}" : null)
            .FirstOrDefault(why => why is not null);
    }

    /// <summary>Publishes a terminal event still owed by an earlier attempt, unless another attempt holds the claim to publish it.</summary>
    public async Task PublishOwedAsync(HeadShotJob job, CancellationToken cancellationToken)
    {
        if (!job.State.IsTerminal() || !job.TerminalEventPending)
        {
            return;
        }

        var (claimed, won) = await store.ChangeAsync(job.TrackId, row =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            if (!row.TerminalEventPending || row.PublishClaimedUntil > now)
            {
                return false;
            }

            row.PublishClaimedUntil = now + PublishLease;
            return true;
        }, cancellationToken);

        if (won)
        {
            await PublishAndClearAsync(claimed!, cancellationToken);
        }
    }

    private async Task<OutcomeApplied> SettleAsync(
        long trackId, Func<HeadShotJob, bool>? onlyIf, Action<HeadShotJob> settle, CancellationToken cancellationToken)
    {
        // The transition and the claim to publish are one write: whoever settles the job publishes
        // its event, and a concurrent duplicate sees the claim and publishes nothing.
        var (job, changed) = await store.ChangeAsync(trackId, job =>
        {
            if (job.State.IsTerminal() || onlyIf?.Invoke(job) == false)
            {
                return false;
            }

            settle(job);
            job.NextPollAt = null;
            job.TerminalEventPending = true;
            job.PublishClaimedUntil = time.GetUtcNow().UtcDateTime + PublishLease;
            return true;
        }, cancellationToken);

        if (job is null)
        {
            return OutcomeApplied.NotFound;
        }

        if (!changed)
        {
            await PublishOwedAsync(job, cancellationToken);
            return job.State.IsTerminal() ? OutcomeApplied.AlreadyTerminal : OutcomeApplied.NoLongerApplies;
        }

        var sinceCreated = job.FinishedAt!.Value - job.CreatedAt;
        if (job.State == JobState.Completed)
        {
            metrics.Completed(job.Delivery!.Value, sinceCreated);
        }
        else
        {
            metrics.Failed(job.FailureReason!.Value, sinceCreated);
        }

        HeadShotTelemetry.Tag(Activity.Current, job);
        Activity.Current?.SetTag(HeadShotTelemetry.OutcomeTag, job.State.ToString());
        await PublishAndClearAsync(job, cancellationToken);
        return OutcomeApplied.Applied;
    }

    private async Task PublishAndClearAsync(HeadShotJob job, CancellationToken cancellationToken)
    {
        var messageId = EventIds.Terminal(job.RequestId);
        try
        {
            switch (TerminalEvents.From(job))
            {
                case HeadShotCompleted completed:
                    await publisher.Publish(completed, context => context.MessageId = messageId, cancellationToken);
                    break;
                case HeadShotFailed failed:
                    await publisher.Publish(failed, context => context.MessageId = messageId, cancellationToken);
                    break;
            }
        }
        catch
        {
            await ReleaseClaimAsync(job.TrackId);
            throw;
        }

        await store.ChangeAsync(job.TrackId, row =>
        {
            var owed = row.TerminalEventPending;
            row.TerminalEventPending = false;
            row.PublishClaimedUntil = null;
            return owed;
        }, cancellationToken);
    }

    /// <summary>
    /// Lets the next attempt (a retried callback, a redelivered request) publish at once instead of
    /// waiting for the lease. Best effort: when the store is what failed, the lease is the backstop.
    /// </summary>
    private async Task ReleaseClaimAsync(long trackId)
    {
        try
        {
            await store.ChangeAsync(trackId, row =>
            {
                row.PublishClaimedUntil = null;
                return true;
            }, CancellationToken.None);
        }
        catch (Exception)
        {
            // The original failure is the one worth reporting.
        }
    }
}
