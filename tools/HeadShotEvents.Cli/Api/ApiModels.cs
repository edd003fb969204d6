namespace HeadShotEvents.Cli.Api;

// The service's JSON (OPLOG-API.md), read tolerantly: the CLI has its own copies so that it never
// references the service, and an added field never breaks it.

/// <summary>GET /headshots/{requestId}.</summary>
public sealed record JobStatus
{
    public Guid RequestId { get; init; }
    public string State { get; init; } = "";
    public long? TrackId { get; init; }
    public string? ModelsLabId { get; init; }
    public IReadOnlyList<string> Outputs { get; init; } = [];
    public DateTimeOffset? OutputsExpireAt { get; init; }
    public string? Delivery { get; init; }
    public string? FailureReason { get; init; }
    public string? FailureMessage { get; init; }
    public IReadOnlyDictionary<string, string[]>? FieldErrors { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    public bool IsTerminal => State is JobStates.Completed or JobStates.Failed;
}

public static class JobStates
{
    public const string Completed = "Completed";
    public const string Failed = "Failed";

    /// <summary>The states GET /headshots filters on, as the service spells them.</summary>
    public static readonly IReadOnlyList<string> All = ["Accepted", "Submitting", "Processing", "OutcomeUnknown", Completed, Failed];
}

/// <summary>GET /headshots: one page of the job log.</summary>
public sealed record JobPage
{
    public IReadOnlyList<JobStatus> Items { get; init; } = [];
    public string? NextCursor { get; init; }
}

/// <summary>GET /headshots/{requestId}/timeline.</summary>
public sealed record JobTimeline
{
    public Guid RequestId { get; init; }
    public string State { get; init; } = "";
    public IReadOnlyList<TimelineEntry> Entries { get; init; } = [];
    public bool Truncated { get; init; }
    public string? TraceId { get; init; }

    /// <summary>ModelsLab's own estimate, from the job's Submitted entry.</summary>
    public TimelineEntry? Submitted => Entries.LastOrDefault(e => e.Kind == "Submitted");
}

public sealed record TimelineEntry
{
    public DateTimeOffset At { get; init; }
    public string Kind { get; init; } = "";
    public string? Detail { get; init; }
    public string? ModelsLabId { get; init; }
    public double? EtaSeconds { get; init; }
    public string? Outcome { get; init; }
    public Guid? MessageId { get; init; }
    public string? Queue { get; init; }
}

/// <summary>POST /headshots/{requestId}/replay's 202.</summary>
public sealed record ReplayAccepted
{
    public Guid RequestId { get; init; }
    public Guid MessageId { get; init; }
    public string Event { get; init; } = "";
    public string? Queue { get; init; }
}

/// <summary>GET /headshots' filters.</summary>
public sealed record JobQuery
{
    public IReadOnlyList<string> States { get; init; } = [];
    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public string? Cursor { get; init; }
    public int? Limit { get; init; }
}
