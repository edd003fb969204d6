using HeadShotEvents.ModelsLab.Wire;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Reconciling;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Submitting;

/// <summary>The non-terminal states a head_shot answer leaves a job in, each a conditional change of its row.</summary>
public sealed class SubmissionRecords(JobStore store, SubmitPathStore submitPath, IOptions<ReconcilerOptions> reconciler)
{
    /// <summary>Queued at ModelsLab. False when a fast callback settled the job first: then nothing is announced.</summary>
    public Task<bool> RecordQueuedAsync(HeadShotJob job, ModelsLabResponse response, DateTimeOffset now, CancellationToken ct)
    {
        // The first poll and the deadline count from this answer, as FirstPoll would on the updated row.
        var submittedAt = now.UtcDateTime;
        var firstPoll = reconciler.Value.FirstPoll(new HeadShotJob { SubmittedAt = submittedAt, CreatedAt = job.CreatedAt }, response.Eta);
        return submitPath.RecordQueuedAsync(new QueuedRecord(job.TrackId, response.Id, response.Eta, submittedAt, firstPoll), ct);
    }

    /// <summary>
    /// Sent, but the answer says nothing certain (a timeout, a 5xx, an unknown status): ModelsLab may
    /// have queued and charged it. Never re-sent; the callback or the reconciler settles it.
    /// </summary>
    public Task RecordUnknownAsync(HeadShotJob job, string? modelsLabId, CancellationToken ct) =>
        store.ChangeAsync(job.TrackId, row =>
        {
            if (row.State != JobState.Submitting)
            {
                return false;
            }

            row.State = modelsLabId is null ? JobState.OutcomeUnknown : JobState.Processing;
            row.ModelsLabId = modelsLabId;
            return true;
        }, ct);
}
