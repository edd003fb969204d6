namespace HeadShotEvents.Contracts;

/// <summary>
/// The generation finished and its images are ready. Terminal: exactly one of this or
/// <see cref="HeadShotFailed"/> is the outcome of a request. The envelope's MessageId is derived
/// from <see cref="RequestId"/>, so a redelivered copy is recognisable.
/// </summary>
public sealed record HeadShotCompleted
{
    /// <summary>The publisher's <see cref="HeadShotRequested.RequestId"/>.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The track_id this service sent to ModelsLab for the request.</summary>
    public required long TrackId { get; init; }

    /// <summary>ModelsLab's id for the generation.</summary>
    public required string ModelsLabId { get; init; }

    /// <summary>The generated images' URLs (or base64 data when the request asked for it).</summary>
    public required IReadOnlyList<string> Outputs { get; init; }

    /// <summary>
    /// When ModelsLab deletes the outputs (24 hours after generation). Copy anything worth keeping
    /// before then.
    /// </summary>
    public required DateTimeOffset OutputsExpireAt { get; init; }

    /// <summary>How the result reached this service.</summary>
    public required HeadShotDelivery Delivery { get; init; }

    /// <summary>ModelsLab's reported generation time in seconds, when given.</summary>
    public double? GenerationSeconds { get; init; }

    /// <summary>When this service recorded the completion.</summary>
    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>The publisher's metadata, echoed.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
