using System.ComponentModel.DataAnnotations;

namespace HeadShotEvents.Service.Reconciling;

/// <summary>Section <c>Reconciler</c>: when an overdue callback is replaced by polling fetch, and when a job gives up.</summary>
public sealed class ReconcilerOptions
{
    public const string Section = "Reconciler";

    /// <summary>How often the reconciler looks for due jobs.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long after ModelsLab's eta the webhook may still come before the first poll.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The wait after a poll that found the job still processing; it doubles up to <see cref="MaxBackoff"/>, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A job not settled this long after it was created fails as TimedOut.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Due jobs claimed per round; the rest wait for the next round.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 50;

    /// <summary>How long a claimed job is hidden from other reconcilers while this one polls it.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// When a job gives up: its Deadline counts from when it was sent to ModelsLab (a request that
    /// waited long on the broker still gets the whole window once paid for), else from its creation.
    /// </summary>
    public DateTime DeadlineOf(HeadShotEvents.Service.Jobs.HeadShotJob job) => (job.SubmittedAt ?? job.CreatedAt) + Deadline;

    /// <summary>When to look at a queued job first: after ModelsLab's eta plus the grace, and never after its deadline.</summary>
    public DateTime FirstPoll(HeadShotEvents.Service.Jobs.HeadShotJob job, double? etaSeconds) =>
        NotAfterDeadline(job, job.SubmittedAt!.Value + TimeSpan.FromSeconds(Math.Clamp(etaSeconds ?? 0, 0, 86_400)) + Grace);

    public DateTime NotAfterDeadline(HeadShotEvents.Service.Jobs.HeadShotJob job, DateTime when) =>
        when < DeadlineOf(job) ? when : DeadlineOf(job);
}
