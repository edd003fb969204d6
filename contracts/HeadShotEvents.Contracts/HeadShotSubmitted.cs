namespace HeadShotEvents.Contracts;

/// <summary>
/// ModelsLab accepted the request and queued it. Not terminal: <see cref="HeadShotCompleted"/> or
/// <see cref="HeadShotFailed"/> follows.
/// </summary>
public sealed record HeadShotSubmitted
{
    /// <summary>The publisher's <see cref="HeadShotRequested.RequestId"/>.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The track_id this service sent to ModelsLab for the request.</summary>
    public required long TrackId { get; init; }

    /// <summary>ModelsLab's id for the generation (a number today, kept as text since bodies disagree).</summary>
    public required string ModelsLabId { get; init; }

    /// <summary>ModelsLab's estimate of the seconds left, when it gave one.</summary>
    public double? EstimatedSeconds { get; init; }

    /// <summary>Where the images will appear; they answer non-200 until ready.</summary>
    public IReadOnlyList<string> FutureLinks { get; init; } = [];

    /// <summary>When ModelsLab accepted the request.</summary>
    public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>The publisher's metadata, echoed.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
