namespace HeadShotEvents.Service.Timeline;

/// <summary>An entry on its way to the store. Texts are cut to their columns' lengths here, once.</summary>
public sealed record TimelineRecord
{
    public TimelineRecord(long trackId, DateTime at, TimelineKind kind, string? outcome = null, string? detail = null,
        Guid? messageId = null, string? queue = null)
    {
        TrackId = trackId;
        At = DateTime.SpecifyKind(at, DateTimeKind.Utc);
        Kind = kind;
        Outcome = Cut(outcome, TimelineEntry.OutcomeLength);
        Detail = Cut(detail, TimelineEntry.DetailLength);
        MessageId = messageId?.ToString("D");
        Queue = Cut(queue, TimelineEntry.QueueLength);
    }

    public long TrackId { get; }
    public DateTime At { get; }
    public TimelineKind Kind { get; }
    public string? Outcome { get; }
    public string? Detail { get; }
    public string? MessageId { get; }
    public string? Queue { get; }

    private static string? Cut(string? text, int length) =>
        text is null || text.Length <= length ? text : string.Concat(text.AsSpan(0, length - 1), "…");
}
