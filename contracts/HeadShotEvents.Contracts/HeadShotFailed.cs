namespace HeadShotEvents.Contracts;

/// <summary>
/// The request will not produce images. Terminal: exactly one of this or
/// <see cref="HeadShotCompleted"/> is the outcome of a request.
/// </summary>
public sealed record HeadShotFailed
{
    /// <summary>The publisher's <see cref="HeadShotRequested.RequestId"/>.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>Why, in a form a program can branch on.</summary>
    public required HeadShotFailureReason Reason { get; init; }

    /// <summary>Why, for a person: ModelsLab's own message when it gave one.</summary>
    public required string Message { get; init; }

    /// <summary>
    /// Per-field errors when <see cref="Reason"/> is <see cref="HeadShotFailureReason.ValidationRejected"/>
    /// (or ModelsLab answered with field errors), keyed by ModelsLab's field name (e.g. <c>width</c>).
    /// </summary>
    public IReadOnlyDictionary<string, string[]>? FieldErrors { get; init; }

    /// <summary>The track_id sent to ModelsLab, when the request got that far.</summary>
    public long? TrackId { get; init; }

    /// <summary>ModelsLab's id for the generation, when it gave one.</summary>
    public string? ModelsLabId { get; init; }

    /// <summary>When this service recorded the failure.</summary>
    public required DateTimeOffset FailedAt { get; init; }

    /// <summary>The publisher's metadata, echoed.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
