using Microsoft.EntityFrameworkCore;

namespace HeadShotEvents.Service.Jobs;

/// <summary>The submitter's changes of a job row, each one conditional UPDATE.</summary>
public sealed partial class JobStore
{
    /// <summary>Takes an Accepted job for sending (Submitting), in one statement; false when another delivery took it first.</summary>
    public async Task<bool> ClaimForSubmitAsync(long trackId, DateTime now, DateTime firstLook, string? traceParent, string? traceState,
        CancellationToken cancellationToken) =>
        await db.Jobs.Where(j => j.TrackId == trackId && j.State == JobState.Accepted)
            .ExecuteUpdateAsync(set => set
                .SetProperty(j => j.State, JobState.Submitting)
                .SetProperty(j => j.SubmittedAt, now)
                .SetProperty(j => j.NextPollAt, firstLook)
                .SetProperty(j => j.TraceParent, j => traceParent ?? j.TraceParent)
                .SetProperty(j => j.TraceState, j => traceParent == null ? j.TraceState : traceState)
                .SetProperty(j => j.Version, j => j.Version + 1)
                .SetProperty(j => j.UpdatedAt, now), cancellationToken) == 1;

    /// <summary>
    /// ModelsLab queued the job: Processing, unless a fast callback settled it first (false), in one
    /// statement. <paramref name="firstPoll"/> is computed by the caller from the same send time.
    /// </summary>
    public async Task<bool> RecordQueuedAsync(long trackId, string? modelsLabId, double? eta, DateTime submittedAt, DateTime firstPoll,
        CancellationToken cancellationToken) =>
        await db.Jobs.Where(j => j.TrackId == trackId && j.State != JobState.Completed && j.State != JobState.Failed)
            .ExecuteUpdateAsync(set => set
                .SetProperty(j => j.State, JobState.Processing)
                .SetProperty(j => j.ModelsLabId, j => j.ModelsLabId ?? modelsLabId)
                .SetProperty(j => j.EtaSeconds, eta)
                .SetProperty(j => j.SubmittedAt, submittedAt)
                // A sooner look asked for meanwhile (a success webhook that brought no images) stands.
                .SetProperty(j => j.NextPollAt, j => j.NextPollAt != null && j.NextPollAt < firstPoll ? j.NextPollAt : firstPoll)
                .SetProperty(j => j.Version, j => j.Version + 1)
                .SetProperty(j => j.UpdatedAt, submittedAt), cancellationToken) == 1;
}
