using HeadShotEvents.Contracts;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Jobs;

/// <summary>
/// Reads and changes job rows. Every change is conditional: on the row's version (<see cref="ChangeAsync"/>),
/// or, for the hot paths, on its state inside one UPDATE statement.
/// </summary>
public sealed partial class JobStore(JobsDbContext db, TimeProvider time, IOptions<Reconciling.ReconcilerOptions> reconciler)
{
    private const int MaxConcurrencyRetries = 5;

    public Task<HeadShotJob?> FindAsync(long trackId, CancellationToken cancellationToken) =>
        db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.TrackId == trackId, cancellationToken);

    public Task<HeadShotJob?> FindByRequestIdAsync(Guid requestId, CancellationToken cancellationToken) =>
        db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.RequestId == requestId, cancellationToken);

    /// <summary>
    /// Creates the job for a request, or returns the one that already exists for its RequestId
    /// (the unique index settles a race between two deliveries). <paramref name="submitting"/>: the
    /// job starts claimed for sending, as <see cref="ClaimForSubmitAsync"/> would leave it.
    /// </summary>
    public async Task<(HeadShotJob Job, bool Created)> CreateAsync(
        HeadShotRequested request, string? traceParent, string? traceState, CancellationToken cancellationToken, bool submitting = false)
    {
        if (await FindByRequestIdAsync(request.RequestId, cancellationToken) is { } existing)
        {
            return (existing, false);
        }

        var job = NewRow(request, traceParent, traceState, submitting, time.GetUtcNow().UtcDateTime, reconciler.Value);
        db.Jobs.Add(job);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            db.Entry(job).State = EntityState.Detached;
            return (job, true);
        }
        catch (DbUpdateException)
        {
            // Lost the race on the unique RequestId index: the other delivery's row is the job.
            db.ChangeTracker.Clear();
            var winner = await FindByRequestIdAsync(request.RequestId, cancellationToken);
            return winner is null ? throw new InvalidOperationException($"Job for {request.RequestId} could not be created.") : (winner, false);
        }
    }

    /// <summary>A new job's row: Accepted, or already claimed for sending (Submitting, first look after the grace).</summary>
    public static HeadShotJob NewRow(
        HeadShotRequested request, string? traceParent, string? traceState, bool submitting, DateTime now, Reconciling.ReconcilerOptions reconciler) => new()
    {
        RequestId = request.RequestId,
        State = submitting ? JobState.Submitting : JobState.Accepted,
        TraceParent = traceParent,
        TraceState = traceState,
        CreatedAt = now,
        UpdatedAt = now,
        SubmittedAt = submitting ? now : null,
        // Watched from birth: a request whose message is lost or never consumed still fails at the
        // deadline; a claimed one is looked at after the grace, as a claim leaves it.
        NextPollAt = now + (submitting ? reconciler.Grace : reconciler.Deadline),
        Metadata = request.Metadata is null ? null : new Dictionary<string, string>(request.Metadata),
        RequestFingerprint = RequestFingerprint.Of(request),
    };

    /// <summary>
    /// Applies <paramref name="change"/> if it accepts the current row (returns true), retrying on a
    /// concurrent writer. Returns the row as it stands afterwards and whether this call changed it.
    /// </summary>
    public async Task<(HeadShotJob? Job, bool Changed)> ChangeAsync(
        long trackId, Func<HeadShotJob, bool> change, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var job = await db.Jobs.SingleOrDefaultAsync(j => j.TrackId == trackId, cancellationToken);
            if (job is null || !change(job))
            {
                return (job, false);
            }

            job.Version++;
            job.UpdatedAt = time.GetUtcNow().UtcDateTime;
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return (job, true);
            }
            catch (DbUpdateConcurrencyException) when (attempt < MaxConcurrencyRetries)
            {
                // Someone else changed the row first: re-read and let the change decide again.
            }
        }
    }

    /// <summary>
    /// The terminal transition as ONE conditional UPDATE: it applies only to a job that is not yet
    /// terminal (and, when <paramref name="expectedVersion"/> is given, still at the version the
    /// caller decided on); the event it owes is a row of the outbox's table, inserted in the same
    /// commit. True when this call made it. No read before it: the outbox dispatcher publishes and clears.
    /// </summary>
    public async Task<bool> SettleAsync(long trackId, JobSettlement settlement, int? expectedVersion, CancellationToken cancellationToken)
    {
        await using var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var jobs = db.Jobs.Where(j => j.TrackId == trackId && j.State != JobState.Completed && j.State != JobState.Failed);
        if (expectedVersion is { } version)
        {
            jobs = jobs.Where(j => j.Version == version);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var rows = await jobs.ExecuteUpdateAsync(set =>
        {
            set.SetProperty(j => j.State, settlement.State)
                .SetProperty(j => j.FinishedAt, settlement.FinishedAt)
                .SetProperty(j => j.ModelsLabId, j => j.ModelsLabId ?? settlement.ModelsLabId)
                .SetProperty(j => j.NextPollAt, (DateTime?)null)
                .SetProperty(j => j.Version, j => j.Version + 1)
                .SetProperty(j => j.UpdatedAt, now);
            if (settlement.TraceParent is not null)
            {
                set.SetProperty(j => j.TraceParent, settlement.TraceParent)
                    .SetProperty(j => j.TraceState, settlement.TraceState);
            }

            if (settlement.State == JobState.Completed)
            {
                set.SetProperty(j => j.Outputs, settlement.Outputs!.ToList())
                    .SetProperty(j => j.OutputsExpireAt, settlement.OutputsExpireAt)
                    .SetProperty(j => j.Delivery, settlement.Delivery)
                    .SetProperty(j => j.GenerationSeconds, settlement.GenerationSeconds);
            }
            else
            {
                set.SetProperty(j => j.FailureReason, settlement.FailureReason)
                    .SetProperty(j => j.FailureMessage, settlement.FailureMessage)
                    .SetProperty(j => j.FieldErrors, settlement.FieldErrors);
            }
        }, cancellationToken);
        if (rows != 1)
        {
            return false;
        }

        // The event is owed, in the same commit: the caller's transaction (HotPathStore's batch), or this one.
        await db.Database.ExecuteSqlRawAsync(
            $"INSERT INTO {Outbox.OwedEventRow.Table} (\"TrackId\", \"ClaimedUntil\") VALUES ({{0}}, NULL)", [trackId], cancellationToken);
        await (own?.CommitAsync(cancellationToken) ?? Task.CompletedTask);
        return true;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> unsettled jobs whose next poll is due, moving each one's
    /// NextPollAt forward by <paramref name="lease"/> with a compare-and-swap on its version: a job
    /// another reconciler claimed first is skipped, so no job is polled twice at the same moment.
    /// </summary>
    public async Task<IReadOnlyList<HeadShotJob>> ClaimDueAsync(int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var due = await db.Jobs.AsNoTracking()
            .Where(j => j.NextPollAt != null && j.NextPollAt <= now)
            .OrderBy(j => j.NextPollAt)
            .Select(j => new { j.TrackId, j.Version })
            .Take(limit)
            .ToListAsync(cancellationToken);

        var claimed = new List<HeadShotJob>(due.Count);
        foreach (var candidate in due)
        {
            var rows = await db.Jobs
                .Where(j => j.TrackId == candidate.TrackId && j.Version == candidate.Version && j.NextPollAt <= now)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(j => j.NextPollAt, now + lease)
                    .SetProperty(j => j.Version, candidate.Version + 1)
                    .SetProperty(j => j.UpdatedAt, now), cancellationToken);
            if (rows == 1 && await FindAsync(candidate.TrackId, cancellationToken) is { } job)
            {
                claimed.Add(job);
            }
        }

        return claimed;
    }

    /// <summary>
    /// Jobs ModelsLab is (as far as we know) holding in its queue for our key, counted up to
    /// <paramref name="atMost"/>: the caller only asks "is there room?", so the cost stays that of a
    /// few index entries however many jobs are unsettled.
    /// </summary>
    public Task<int> CountAtModelsLabAsync(int atMost, CancellationToken cancellationToken) =>
        db.Jobs.Where(j => j.State == JobState.Submitting || j.State == JobState.Processing).Take(atMost).CountAsync(cancellationToken);
}
