using System.ComponentModel.DataAnnotations;

namespace HeadShotEvents.Service.Outbox;

/// <summary>Section <c>Outbox</c>: how owed terminal events leave the job store for the bus.</summary>
public sealed class OutboxOptions : IValidatableObject
{
    public const string Section = "Outbox";

    /// <summary>
    /// Events a sweep claims and publishes together (their rows deleted in one statement); also the
    /// most handed-off events in flight at once, and the most one delete of them takes.
    /// </summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 200;

    /// <summary>
    /// How often the dispatcher sweeps for owed events nobody handed it: ones settled where no
    /// dispatcher ran, left behind by another instance (it died), whose claim lapsed, or whose
    /// publish failed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a dispatcher holds the claim to publish an event before another may take it over.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the deletes of published events' owed rows gather to share a statement and a commit
    /// (zero: each batch goes at once). No publish waits on them: the broker already has the event.
    /// Deleted as soon as confirmed, at 500 events/s a statement took under two rows (see
    /// docs/benchmarks.md, session 8). A stop deletes what is gathering at once; a crash meanwhile
    /// leaves those rows owed, and their events are published again once their claim lapses
    /// (at-least-once, same MessageId). Under half of <see cref="ClaimLease"/>: a delete only matches
    /// rows still under the claim it published with.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan DeleteGathering { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The pause after a publish failed (broker unreachable) before the next try.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DeleteGathering >= ClaimLease / 2)
        {
            yield return new ValidationResult(
                $"Outbox:DeleteGathering ({DeleteGathering}) must be under half of Outbox:ClaimLease ({ClaimLease}).", [nameof(DeleteGathering)]);
        }
    }
}
