using System.Diagnostics;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;

namespace HeadShotEvents.Service.Timeline;

/// <summary>What GET /headshots/{requestId}/timeline answers.</summary>
public sealed record JobTimelineView(
    Guid RequestId, string State, IReadOnlyList<TimelineEntryView> Entries, bool Truncated, string? TraceId)
{
    /// <summary>
    /// The job row's own facts (Accepted, Submitted, Settled) derived at read time, merged with the
    /// stored entries, oldest first. Nothing is written twice: the row is the record of its state.
    /// </summary>
    public static JobTimelineView From(HeadShotJob job, IReadOnlyList<TimelineEntry> stored)
    {
        var entries = new List<TimelineEntryView> { new(Utc(job.CreatedAt), nameof(TimelineKind.Accepted)) };
        if (job.SubmittedAt is { } submitted)
        {
            entries.Add(new TimelineEntryView(Utc(submitted), nameof(TimelineKind.Submitted), SubmittedDetail(job.State))
            {
                ModelsLabId = job.ModelsLabId,
                EtaSeconds = job.EtaSeconds,
            });
        }

        if (job.State.IsTerminal() && job.FinishedAt is { } finished)
        {
            entries.Add(new TimelineEntryView(Utc(finished), nameof(TimelineKind.Settled), SettledDetail(job))
            {
                Outcome = job.State.ToString(),
            });
        }

        entries.AddRange(stored.Where(e => e.Kind != TimelineKind.Truncated).Select(e => new TimelineEntryView(Utc(e.At), e.Kind.ToString(), e.Detail)
        {
            Outcome = e.Outcome,
            MessageId = Guid.TryParse(e.MessageId, out var id) ? id : null,
            Queue = e.Queue,
        }));

        return new JobTimelineView(
            job.RequestId,
            job.State.ToString(),
            [.. entries.Select((e, i) => (e, i)).OrderBy(x => x.e.At).ThenBy(x => Rank(x.e.Kind)).ThenBy(x => x.i).Select(x => x.e)],
            stored.Any(e => e.Kind == TimelineKind.Truncated),
            ActivityContext.TryParse(job.TraceParent, job.TraceState, out var trace) ? trace.TraceId.ToHexString() : null);
    }

    /// <summary>Equal times (a coarse clock) keep the order things must have happened in.</summary>
    private static int Rank(string kind) => Enum.TryParse<TimelineKind>(kind, out var k) ? (int)k : int.MaxValue;

    private static string? SubmittedDetail(JobState state) => state switch
    {
        JobState.Submitting => "head_shot is being sent.",
        JobState.OutcomeUnknown => "head_shot was sent but its answer was lost (timeout, 5xx or unknown status): never re-sent; a callback or a poll settles it.",
        _ => null,
    };

    private static string SettledDetail(HeadShotJob job) => job.State == JobState.Completed
        ? $"{job.Outputs.Count} output(s), delivered by {job.Delivery}."
        : $"{job.FailureReason}: {job.FailureMessage}";

    private static DateTimeOffset Utc(DateTime value) => TerminalEvents.Utc(value);
}

/// <summary>One line of a job's timeline.</summary>
public sealed record TimelineEntryView(DateTimeOffset At, string Kind, string? Detail = null)
{
    public string? ModelsLabId { get; init; }
    public double? EtaSeconds { get; init; }
    public string? Outcome { get; init; }
    public Guid? MessageId { get; init; }
    public string? Queue { get; init; }
}
