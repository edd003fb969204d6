namespace HeadShotEvents.Contracts;

/// <summary>
/// Every output of a <see cref="HeadShotCompleted"/> was copied to this deployment's object storage,
/// where it stays after ModelsLab deletes the original. Subscribe to this instead of
/// <see cref="HeadShotCompleted"/> to get images that do not expire. Published once per request
/// (at least once under faults); the envelope's MessageId is derived from <see cref="RequestId"/>,
/// so a redelivered copy is recognisable.
/// </summary>
public sealed record HeadShotArchived
{
    /// <summary>The publisher's <see cref="HeadShotRequested.RequestId"/>.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The stored images, one per output of <see cref="HeadShotCompleted.Outputs"/>, in the same order.</summary>
    public required IReadOnlyList<ArchivedImage> Images { get; init; }

    /// <summary>When the archiver finished storing the images.</summary>
    public required DateTimeOffset ArchivedAt { get; init; }

    /// <summary>The publisher's metadata, echoed.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
