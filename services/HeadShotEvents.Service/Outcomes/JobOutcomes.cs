using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using System.Diagnostics;
using HeadShotEvents.Service.Telemetry;
using HeadShotEvents.UrlSafety;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Outbox;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Outcomes;

/// <summary>Whether a result changed the job or found it already settled.</summary>
public enum OutcomeApplied
{
    /// <summary>This call made the one terminal transition; its event is owed and on its way.</summary>
    Applied,

    /// <summary>The job was already terminal: nothing new is published (an event still owed is left to the dispatcher).</summary>
    AlreadyTerminal,

    /// <summary>No such job.</summary>
    NotFound,

    /// <summary>The caller's condition no longer held on the current row (another delivery moved it on): nothing changed.</summary>
    NoLongerApplies,
}

/// <summary>
/// The one way a job becomes terminal, whichever path brings the result (immediate answer,
/// webhook, poll, deadline): ONE conditional write makes the transition and writes its event owed,
/// and the <see cref="EventDispatcher"/> is handed it (or woken) to publish it. Whoever's write lands settles the
/// job; every other attempt finds it terminal and publishes nothing.
/// </summary>
public sealed class JobOutcomes(
    JobStore store, HotPathStore hotPath, OwedEvents owed, HeadShotMetrics metrics, IOptions<WebhookOptions> webhooks, TimeProvider time)
{
    /// <summary>ModelsLab deletes outputs 24 hours after generation.</summary>
    public static readonly TimeSpan OutputLifetime = TimeSpan.FromHours(24);

    /// <summary>A caller-side condition that loses a race this many times in a row gives up (another writer keeps moving the row).</summary>
    private const int MaxConcurrencyRetries = 5;

    /// <summary>
    /// Completes the job, unless its outputs break the URL rules: subscribers download them, so an
    /// immediate answer or a poll gets the same scrutiny as a webhook (where the receiver already
    /// refused them with 422).
    /// </summary>
    public Task<OutcomeApplied> CompleteAsync(
        HeadShotJob job, IReadOnlyList<string> outputs, string? modelsLabId, double? generationSeconds,
        HeadShotDelivery delivery, CancellationToken cancellationToken)
    {
        if (UnsafeOutputs(outputs) is { } why)
        {
            return FailAsync(job, HeadShotFailureReason.GenerationFailed, $"ModelsLab's result was not passed on: {why}", null, modelsLabId, cancellationToken);
        }

        var now = time.GetUtcNow().UtcDateTime;
        return SettleAsync(job, null, Settlement(job, JobState.Completed, now, modelsLabId) with
        {
            Outputs = [.. outputs.Select(ImageUrl.Normalised)],
            Delivery = delivery,
            GenerationSeconds = generationSeconds,
            OutputsExpireAt = now + OutputLifetime,
        }, cancellationToken);
    }

    /// <summary>
    /// Fails the job. <paramref name="onlyIf"/> is checked on the row as it stands, and the write
    /// applies only if the row is still at that version: a caller that decided on an older read (the
    /// row was still Accepted, the deadline had passed) must not fail a job another delivery has
    /// since sent to ModelsLab.
    /// </summary>
    public Task<OutcomeApplied> FailAsync(
        HeadShotJob job, HeadShotFailureReason reason, string message, IReadOnlyDictionary<string, string[]>? fieldErrors,
        string? modelsLabId, CancellationToken cancellationToken, Func<HeadShotJob, bool>? onlyIf = null) =>
        SettleAsync(job, onlyIf, Settlement(job, JobState.Failed, time.GetUtcNow().UtcDateTime, modelsLabId) with
        {
            FailureReason = reason,
            FailureMessage = message,
            FieldErrors = fieldErrors is { Count: > 0 } ? new Dictionary<string, string[]>(fieldErrors) : null,
        }, cancellationToken);

    /// <summary>
    /// A terminal job whose event may still be owed (a redelivered request, a fault): the dispatcher
    /// is woken, and publishes it if it is still owed and no other attempt holds the claim. Nothing
    /// to do for any other job.
    /// </summary>
    public void PublishOwed(HeadShotJob job)
    {
        if (job.State.IsTerminal())
        {
            owed.Wake();
        }
    }

    /// <summary>
    /// The settling span becomes the parent of the event's publish, but only when it is a W3C span
    /// in the request's own trace: an unrelated current span (an inbound request's own root, a
    /// reconciler round, a legacy publisher's hierarchical id) must never replace the saved context.
    /// </summary>
    private static JobSettlement Settlement(HeadShotJob job, JobState state, DateTime now, string? modelsLabId)
    {
        var current = Activity.Current;
        var inTrace = current is { IdFormat: ActivityIdFormat.W3C }
            && (!ActivityContext.TryParse(job.TraceParent, job.TraceState, out var saved) || saved.TraceId == current.TraceId);
        return inTrace
            ? new(state, now, modelsLabId, current!.Id, current.TraceStateString)
            : new(state, now, modelsLabId, null, null);
    }

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

    /// <summary><paramref name="job"/> is the caller's read of the row: its ids and CreatedAt, never its state, are trusted.</summary>
    private async Task<OutcomeApplied> SettleAsync(
        HeadShotJob job, Func<HeadShotJob, bool>? onlyIf, JobSettlement settlement, CancellationToken cancellationToken)
    {
        var trackId = job.TrackId;
        for (var attempt = 1; ; attempt++)
        {
            int? version = null;
            if (onlyIf is not null)
            {
                var current = await store.FindAsync(trackId, cancellationToken);
                if (current is null || current.State.IsTerminal())
                {
                    return NotSettled(current);
                }

                if (!onlyIf(current))
                {
                    return OutcomeApplied.NoLongerApplies;
                }

                version = current.Version;
            }

            // The store hands the event to the dispatcher (or wakes it) once the settle is committed.
            if (await hotPath.SettleAsync(trackId, settlement, version, cancellationToken))
            {
                Record(job, settlement);
                return OutcomeApplied.Applied;
            }

            if (onlyIf is null || attempt >= MaxConcurrencyRetries)
            {
                return NotSettled(await store.FindAsync(trackId, cancellationToken));
            }

            // The row moved on between the read and the write: decide again on the new row.
        }
    }

    /// <summary>Why the write did not apply, read afterwards (off the hot path: duplicates and strays only).</summary>
    private OutcomeApplied NotSettled(HeadShotJob? job)
    {
        if (job is null)
        {
            return OutcomeApplied.NotFound;
        }

        PublishOwed(job);
        return job.State.IsTerminal() ? OutcomeApplied.AlreadyTerminal : OutcomeApplied.NoLongerApplies;
    }

    private void Record(HeadShotJob job, JobSettlement settlement)
    {
        HeadShotTelemetry.Tag(Activity.Current, job);
        Activity.Current?.SetTag(HeadShotTelemetry.OutcomeTag, settlement.State.ToString());
        var sinceCreated = settlement.FinishedAt - job.CreatedAt;
        if (settlement.State == JobState.Completed)
        {
            metrics.Completed(settlement.Delivery!.Value, sinceCreated);
        }
        else
        {
            metrics.Failed(settlement.FailureReason!.Value, sinceCreated);
        }
    }
}
