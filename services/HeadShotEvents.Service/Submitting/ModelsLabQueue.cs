using System.Diagnostics;
using HeadShotEvents.ModelsLab;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Reconciling;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Submitting;

/// <summary>One process's gate: claims are made one at a time, so two consumers never both see the last free slot.</summary>
public sealed class SubmitGate
{
    internal SemaphoreSlim Gate { get; } = new(1, 1);
}

/// <summary>
/// ModelsLab allows 5, 10 or 15 queued jobs per key by plan and refuses more with 429. Waiting here
/// until our own count of jobs at ModelsLab is under <see cref="ModelsLabOptions.MaxQueuedJobs"/>
/// keeps requests queued on the broker instead of collecting refusals. Across several instances
/// the count can briefly overshoot; the 429 retry covers that.
/// </summary>
public sealed class ModelsLabQueue(
    JobStore store, SubmitGate gate, IOptions<ModelsLabOptions> modelsLab, IOptions<ReconcilerOptions> reconciler, TimeProvider time)
{
    private static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one delivery waits for room before handing the message back to the retry policy.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(2);

    public async Task<SubmitClaim> ClaimAsync(HeadShotJob job, CancellationToken cancellationToken)
    {
        var giveUpAt = time.GetUtcNow() + MaxWait;
        await gate.Gate.WaitAsync(cancellationToken);
        try
        {
            // From the claim on the job is the reconciler's to watch: if this process dies mid-call, the
            // job still reaches a terminal state (by a callback, or at the deadline). The deadline
            // counts from the send, and the trace to continue is this consume's, even when POST
            // /headshots created the row. Only an Accepted row is taken, and only while there is room.
            while (true)
            {
                var now = time.GetUtcNow().UtcDateTime;
                var claim = await store.ClaimIfRoomAsync(job.TrackId, modelsLab.Value.MaxQueuedJobs, now, now + reconciler.Value.Grace,
                    Activity.Current?.Id, Activity.Current?.TraceStateString, cancellationToken);
                if (claim != SubmitClaim.NoRoom)
                {
                    return claim;
                }

                if (time.GetUtcNow() >= giveUpAt)
                {
                    return SubmitClaim.NoRoom;
                }

                await Task.Delay(CheckEvery, time, cancellationToken);
            }
        }
        finally
        {
            gate.Gate.Release();
        }
    }
}
