using System.ComponentModel.DataAnnotations;

namespace HeadShotEvents.Service.Outbox;

/// <summary>Section <c>Outbox</c>: how owed terminal events leave the job store for the bus.</summary>
public sealed class OutboxOptions
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
    /// How long the delete of a confirmed event's owed row waits for others to share its statement and
    /// commit. Nobody waits on it (the event is already with the broker): at 500 events/s, deleted as
    /// soon as confirmed, a statement took two rows on average (see docs/benchmarks.md, session 8).
    /// A stop still deletes what is waiting; a crash meanwhile leaves those rows owed, and their events
    /// are published again after the claim lease (at-least-once, same MessageId).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan DeleteGathering { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>The pause after a publish failed (broker unreachable) before the next try.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
