namespace HeadShotEvents.Service.Timeline;

/// <summary>What happened to a job. Stored kinds are only those the job row cannot tell afterwards.</summary>
public enum TimelineKind
{
    /// <summary>Derived: the row's CreatedAt.</summary>
    Accepted,

    /// <summary>Derived: SubmittedAt, ModelsLab's id and eta.</summary>
    Submitted,

    /// <summary>Stored by the receiver: one webhook call and what it did (processing, completed, duplicate, mismatch...).</summary>
    Callback,

    /// <summary>Stored by the reconciler: one fetch and ModelsLab's answer.</summary>
    Poll,

    /// <summary>Derived: FinishedAt, the terminal state and the failure.</summary>
    Settled,

    /// <summary>Stored by the outbox dispatcher once the broker confirmed the terminal event.</summary>
    Published,

    /// <summary>Stored by the replay endpoint before it answers.</summary>
    Replayed,

    /// <summary>Stored in the job's last slot when its bound is reached: later entries were dropped.</summary>
    Truncated,
}

/// <summary>
/// One stored timeline entry: a row of <c>head_shot_timeline</c>, keyed by its job and a slot
/// number. The slot is bounded by the schema itself (a CHECK constraint), so no writer, however
/// wrong, can store more than <see cref="MaxPerJob"/> entries for a job. Holds our own short texts
/// and ids only: never a webhook token, a prompt, a face image or a key.
/// </summary>
public sealed class TimelineEntry
{
    /// <summary>Slots 0..62 hold entries; slot 63 holds the <see cref="TimelineKind.Truncated"/> marker.</summary>
    public const int MaxPerJob = 64;

    public const int KindLength = 16;
    public const int OutcomeLength = 32;
    public const int DetailLength = 256;
    public const int QueueLength = 255;

    public long TrackId { get; set; }
    public int Slot { get; set; }
    public DateTime At { get; set; }
    public TimelineKind Kind { get; set; }
    public string? Outcome { get; set; }
    public string? Detail { get; set; }

    /// <summary>The envelope's MessageId of a published or replayed event (text: the same on both providers).</summary>
    public string? MessageId { get; set; }

    /// <summary>The one queue a replay was sent to; null when it was published to every subscriber.</summary>
    public string? Queue { get; set; }
}
