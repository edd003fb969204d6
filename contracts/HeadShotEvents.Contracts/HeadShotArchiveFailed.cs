namespace HeadShotEvents.Contracts;

/// <summary>
/// The archiver could not copy a request's outputs, and will not try again: ModelsLab's copies
/// expired first, or an output is something it must not or cannot store. Nothing was announced as
/// archived for the request. The envelope's MessageId is derived from <see cref="RequestId"/>.
/// </summary>
public sealed record HeadShotArchiveFailed
{
    /// <summary>The publisher's <see cref="HeadShotRequested.RequestId"/>.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>Why, in a form a program can branch on.</summary>
    public required HeadShotArchiveFailureReason Reason { get; init; }

    /// <summary>Why, for a person (never a credential or a whole response body).</summary>
    public required string Message { get; init; }

    /// <summary>Which output (0-based position in <see cref="HeadShotCompleted.Outputs"/>) failed, when one did.</summary>
    public int? OutputIndex { get; init; }

    /// <summary>When the archiver gave up.</summary>
    public required DateTimeOffset FailedAt { get; init; }

    /// <summary>The publisher's metadata, echoed.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
