using HeadShotEvents.Contracts;

namespace HeadShotEvents.Service.Jobs;

/// <summary>
/// One row per request. Holds no face image and no prompt: only what correlation, status and the
/// terminal event need. Times are UTC <see cref="DateTime"/>s because both SQLite and PostgreSQL
/// compare those natively.
/// </summary>
public sealed class HeadShotJob
{
    /// <summary>Allocated by the store (identity column) and sent to ModelsLab as <c>track_id</c>.</summary>
    public long TrackId { get; set; }

    /// <summary>The publisher's idempotency key; unique.</summary>
    public Guid RequestId { get; set; }

    public string? ModelsLabId { get; set; }
    public JobState State { get; set; }

    /// <summary>W3C trace context of the HeadShotRequested consume, so the callback continues its trace.</summary>
    public string? TraceParent { get; set; }
    public string? TraceState { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? SubmittedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    /// <summary>
    /// When the reconciler next looks at this unsettled job (poll fetch, or fail it at the deadline).
    /// Also its claim: a reconciler moves it forward by a lease before polling, so no other polls it meanwhile.
    /// </summary>
    public DateTime? NextPollAt { get; set; }

    public int PollAttempts { get; set; }

    /// <summary>ModelsLab's eta in seconds at submit.</summary>
    public double? EtaSeconds { get; set; }

    public List<string> Outputs { get; set; } = [];
    public DateTime? OutputsExpireAt { get; set; }
    public HeadShotDelivery? Delivery { get; set; }
    public double? GenerationSeconds { get; set; }

    public HeadShotFailureReason? FailureReason { get; set; }
    public string? FailureMessage { get; set; }
    public Dictionary<string, string[]>? FieldErrors { get; set; }

    /// <summary>The request's payload as a hash (<see cref="Jobs.RequestFingerprint"/>): a reuse of its RequestId for another payload is a conflict. Null on rows older than it.</summary>
    public string? RequestFingerprint { get; set; }

    /// <summary>The publisher's metadata, echoed on every event of the request.</summary>
    public Dictionary<string, string>? Metadata { get; set; }

    /// <summary>
    /// Legacy: the owed mark of releases before <c>OwedEventsSideTable</c>, which kept it on the job
    /// row. This release never sets it (an owed event is a row of <see cref="Outbox.OwedEventRow"/>);
    /// while an older release still runs beside it during a rolling upgrade, a trigger copies what
    /// that release writes here into the side table. A later release drops the column.
    /// </summary>
    public bool TerminalEventPending { get; set; }

    /// <summary>Legacy: the publish claim of releases before <c>OwedEventsSideTable</c> (see <see cref="TerminalEventPending"/>).</summary>
    public DateTime? PublishClaimedUntil { get; set; }

    /// <summary>Optimistic concurrency: two instances racing on one job cannot both apply a transition.</summary>
    public int Version { get; set; }
}
