using System.ComponentModel.DataAnnotations;

namespace HeadShotEvents.Service.Submitting;

/// <summary>Section <c>Submitter</c>: how many requests one submitter works on at once.</summary>
public sealed class SubmitterOptions
{
    public const string Section = "Submitter";

    /// <summary>
    /// HeadShotRequested messages one instance handles concurrently. ModelsLab queues 5 to 15 jobs
    /// per key (<c>ModelsLab:MaxQueuedJobs</c> holds the rest back), so the default only needs to keep
    /// that queue full; raise it with a plan that allows more, or to measure the service alone.
    /// </summary>
    [Range(1, 1024)]
    public int ConcurrentMessageLimit { get; set; } = 8;
}
