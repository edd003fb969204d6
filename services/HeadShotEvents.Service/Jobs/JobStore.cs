using HeadShotEvents.Contracts;
using Microsoft.EntityFrameworkCore;

namespace HeadShotEvents.Service.Jobs;

/// <summary>Reads and changes job rows; every change is a compare-and-swap on the row's version.</summary>
public sealed class JobStore(JobsDbContext db, TimeProvider time)
{
    private const int MaxConcurrencyRetries = 5;

    public Task<HeadShotJob?> FindAsync(long trackId, CancellationToken cancellationToken) =>
        db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.TrackId == trackId, cancellationToken);

    public Task<HeadShotJob?> FindByRequestIdAsync(Guid requestId, CancellationToken cancellationToken) =>
        db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.RequestId == requestId, cancellationToken);

    /// <summary>
    /// Creates the job for a request, or returns the one that already exists for its RequestId
    /// (the unique index settles a race between two deliveries).
    /// </summary>
    public async Task<(HeadShotJob Job, bool Created)> CreateAsync(
        HeadShotRequested request, string? traceParent, string? traceState, CancellationToken cancellationToken)
    {
        if (await FindByRequestIdAsync(request.RequestId, cancellationToken) is { } existing)
        {
            return (existing, false);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var job = new HeadShotJob
        {
            RequestId = request.RequestId,
            State = JobState.Accepted,
            TraceParent = traceParent,
            TraceState = traceState,
            CreatedAt = now,
            UpdatedAt = now,
            Metadata = request.Metadata is null ? null : new Dictionary<string, string>(request.Metadata),
        };

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
}
