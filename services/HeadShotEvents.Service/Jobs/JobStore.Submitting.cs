using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HeadShotEvents.Service.Jobs;

/// <summary>How a submit claim went.</summary>
public enum SubmitClaim
{
    /// <summary>The job is now Submitting and this consumer sends it.</summary>
    Claimed,

    /// <summary>Another delivery took the job first.</summary>
    TakenByAnother,

    /// <summary>ModelsLab's queue for the key is full: nothing changed.</summary>
    NoRoom,
}

/// <summary>The submitter's changes of a job row, each one conditional statement.</summary>
public sealed partial class JobStore
{
    /// <summary>
    /// PostgreSQL: the room check and the claim in ONE statement (one round trip inside the
    /// process's submit gate, which every submit passes through one at a time).
    /// </summary>
    private const string ClaimIfRoomSql = """
        WITH room AS (
          SELECT count(*) AS at_modelslab
          FROM (SELECT 1 FROM head_shot_jobs WHERE "State" IN ('Submitting', 'Processing') LIMIT @atMost) AS counted),
        claimed AS (
          UPDATE head_shot_jobs SET "State" = 'Submitting', "SubmittedAt" = @now, "NextPollAt" = @firstLook,
            "TraceParent" = COALESCE(@traceParent, "TraceParent"),
            "TraceState" = CASE WHEN @traceParent IS NULL THEN "TraceState" ELSE @traceState END,
            "Version" = "Version" + 1, "UpdatedAt" = @now
          WHERE "TrackId" = @trackId AND "State" = 'Accepted' AND (SELECT at_modelslab + @reserved < @atMost FROM room)
          RETURNING 1)
        SELECT (SELECT count(*) FROM claimed) AS "Claimed",
               EXISTS (SELECT 1 FROM head_shot_jobs WHERE "TrackId" = @trackId AND "State" = 'Accepted') AS "StillAccepted",
               (SELECT at_modelslab FROM room) AS "AtModelsLab"
        """;

    private sealed record ClaimRow(long Claimed, bool StillAccepted, long AtModelsLab);

    /// <summary>
    /// Takes an Accepted job for sending (Submitting) if fewer than <paramref name="atMost"/> jobs are
    /// at ModelsLab: <see cref="SubmitClaim.TakenByAnother"/> when another delivery took it first,
    /// <see cref="SubmitClaim.NoRoom"/> (nothing changed) when ModelsLab's queue is full. Also says
    /// how many jobs were at ModelsLab before this claim (counted up to <paramref name="atMost"/>).
    /// <paramref name="reserved"/>: places held back for jobs the count may not see yet (the
    /// process's slots in flight or lent), so the claim takes one only if those still fit.
    /// </summary>
    public async Task<(SubmitClaim Claim, int AtModelsLab)> ClaimIfRoomAsync(long trackId, int atMost, DateTime now, DateTime firstLook,
        string? traceParent, string? traceState, CancellationToken cancellationToken, int reserved = 0)
    {
        if (!db.Database.IsNpgsql())
        {
            // SQLite has no UPDATE inside WITH: two statements (the embedded store has one instance).
            var counted = await CountAtModelsLabAsync(atMost, cancellationToken);
            var claim = counted + reserved < atMost
                ? await ClaimForSubmitAsync(trackId, now, firstLook, traceParent, traceState, cancellationToken) ? SubmitClaim.Claimed : SubmitClaim.TakenByAnother
                : await db.Jobs.AnyAsync(j => j.TrackId == trackId && j.State == JobState.Accepted, cancellationToken) ? SubmitClaim.NoRoom
                : SubmitClaim.TakenByAnother;
            return (claim, counted);
        }

        // Through EF (not a bare NpgsqlCommand), so its logging and interceptors see it like every other statement.
        var row = (await db.Database.SqlQueryRaw<ClaimRow>(ClaimIfRoomSql,
                new NpgsqlParameter("trackId", trackId),
                new NpgsqlParameter("atMost", atMost),
                new NpgsqlParameter("reserved", reserved),
                new NpgsqlParameter("now", now),
                new NpgsqlParameter("firstLook", firstLook),
                new NpgsqlParameter("traceParent", NpgsqlTypes.NpgsqlDbType.Varchar) { Value = (object?)traceParent ?? DBNull.Value },
                new NpgsqlParameter("traceState", NpgsqlTypes.NpgsqlDbType.Varchar) { Value = (object?)traceState ?? DBNull.Value })
            .ToListAsync(cancellationToken)).Single();
        var result = row.Claimed == 1 ? SubmitClaim.Claimed : row.StillAccepted ? SubmitClaim.NoRoom : SubmitClaim.TakenByAnother;
        return (result, (int)row.AtModelsLab);
    }

    /// <summary>
    /// A job created already claimed (Submitting, version 0) by a delivery that failed before it knew
    /// the row was written (cancelled while its batch ran, or an error after the commit): handed back
    /// as Accepted, watched until the deadline like any Accepted job, so the delivery's retry claims
    /// and sends it. Safe: only the delivery that created such a row would send it, and that one failed.
    /// </summary>
    public async Task<bool> ReleaseUnsentClaimAsync(Guid requestId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return await db.Jobs.Where(j => j.RequestId == requestId && j.State == JobState.Submitting && j.Version == 0)
            .ExecuteUpdateAsync(set => set
                .SetProperty(j => j.State, JobState.Accepted)
                .SetProperty(j => j.SubmittedAt, (DateTime?)null)
                .SetProperty(j => j.NextPollAt, now + reconciler.Value.Deadline)
                .SetProperty(j => j.Version, 1)
                .SetProperty(j => j.UpdatedAt, now), cancellationToken) == 1;
    }

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
