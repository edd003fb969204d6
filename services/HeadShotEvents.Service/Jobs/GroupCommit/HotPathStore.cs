using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Jobs.GroupCommit;

/// <summary>Section <c>Jobs:GroupCommit</c>: how far concurrent reads and settling writes are gathered into one statement.</summary>
public sealed class GroupCommitOptions
{
    public const string Section = "Jobs:GroupCommit";

    /// <summary>The most jobs one batched statement reads or settles.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1000)]
    public int MaxBatch { get; set; } = 64;

    /// <summary>Batches in flight at once, each on its own connection: one keeps the database busy while another is filled.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 16)]
    public int ConcurrentBatches { get; set; } = 2;
}

/// <summary>One settling write asked for: the job, what settles it, and the version the caller decided on (if any).</summary>
public sealed record SettleRequest(long TrackId, JobSettlement Settlement, int? ExpectedVersion);

/// <summary>
/// The two statements of the webhook's hot path, the job's read and its terminal transition, run for
/// many concurrent callbacks at once: one query reads every job of a batch, one round trip and ONE
/// commit settles every job of a batch (each still its own conditional UPDATE, so the guarantees are
/// the ones <see cref="JobStore.SettleAsync"/> gives). A caller's 2xx still waits for the commit
/// that holds its own change.
/// </summary>
public sealed class HotPathStore : IAsyncDisposable
{
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly Outbox.OwedEvents _owed;
    private readonly bool _postgres;
    private readonly Coalescer<long, HeadShotJob?> _reads;
    private readonly Coalescer<SettleRequest, bool> _settles;

    public HotPathStore(
        IServiceScopeFactory scopes, TimeProvider time, Outbox.OwedEvents owed, IOptions<GroupCommitOptions> options, IOptions<JobStoreOptions> store)
    {
        _scopes = scopes;
        _time = time;
        _owed = owed;
        // Known once: asking the context (Database.IsNpgsql()) per batch showed in the profile.
        _postgres = store.Value.Provider == JobStoreProvider.Postgres;
        var settings = options.Value;
        _reads = new(ReadBatchAsync, settings.MaxBatch, settings.ConcurrentBatches);
        _settles = new(SettleBatchAsync, settings.MaxBatch, settings.ConcurrentBatches);
    }

    /// <summary>Settling batches and settles so far (how far the load let writes share a commit).</summary>
    public (long Batches, long Settles) SettleCounts => (_settles.Batches, _settles.Requests);

    /// <summary>The job as it stands (not tracked), read together with every other job asked for meanwhile.</summary>
    public Task<HeadShotJob?> FindAsync(long trackId, CancellationToken cancellationToken) => _reads.RunAsync(trackId, cancellationToken);

    /// <summary>
    /// <see cref="JobStore.SettleAsync"/>, committed together with every other settle asked for
    /// meanwhile. True once the commit holding this job's terminal transition is durable; by then
    /// its event is on its way (handed to this process's dispatcher, or the dispatcher woken).
    /// </summary>
    public Task<bool> SettleAsync(long trackId, JobSettlement settlement, int? expectedVersion, CancellationToken cancellationToken) =>
        _settles.RunAsync(new SettleRequest(trackId, settlement, expectedVersion), cancellationToken);

    private async Task<IReadOnlyList<HeadShotJob?>> ReadBatchAsync(IReadOnlyList<long> trackIds, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var ids = trackIds.Distinct().ToArray();
        var rows = _postgres
            ? await PostgresJobReads.ReadAsync(db, ids, cancellationToken)
            : await db.Jobs.AsNoTracking().Where(j => ids.Contains(j.TrackId)).ToDictionaryAsync(j => j.TrackId, cancellationToken);
        return [.. trackIds.Select(id => rows.GetValueOrDefault(id))];
    }

    private async Task<IReadOnlyList<bool>> SettleBatchAsync(IReadOnlyList<SettleRequest> requests, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        return await OneByOne.OnFailureAsync(requests, together => SettleTogetherAsync(scope.ServiceProvider, db, together, cancellationToken));
    }

    private async Task<IReadOnlyList<bool>> SettleTogetherAsync(
        IServiceProvider services, JobsDbContext db, IReadOnlyList<SettleRequest> requests, CancellationToken cancellationToken)
    {
        if (_postgres)
        {
            // Claimed for this process's dispatcher in the settling write itself, and handed to it
            // once committed: no claim statement, no read, no wait for a sweep.
            var claim = _owed.HandOffClaim();
            try
            {
                var settled = await PostgresSettlements.RunAsync(db, requests, _time.GetUtcNow().UtcDateTime, claim, cancellationToken);
                var applied = settled.OfType<HeadShotJob>().ToList();
                if (claim is { } claimedUntil)
                {
                    _owed.HandOff(applied.Select(job => new Outbox.OwedEvent(job, claimedUntil)));
                }
                else if (applied.Count > 0)
                {
                    _owed.Wake();
                }

                return [.. settled.Select(row => row is not null)];
            }
            catch (Exception) when (claim is not null)
            {
                await ReleaseClaimAsync(requests, claim.Value);
                throw;
            }
            finally
            {
                if (claim is not null)
                {
                    _owed.ClaimSettled();
                }
            }
        }

        // SQLite (the embedded store): the same conditional UPDATEs inside one transaction, so one commit.
        db.ChangeTracker.Clear();
        var store = services.GetRequiredService<JobStore>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var results = new bool[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            results[i] = await store.SettleAsync(requests[i].TrackId, requests[i].Settlement, requests[i].ExpectedVersion, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        if (results.Any(applied => applied))
        {
            _owed.Wake();
        }

        return results;
    }

    /// <summary>
    /// Takes back the hand-off claim from rows whose settle may have committed although the batch
    /// failed on this side (the connection dropped after the commit, a row could not be read back):
    /// nobody will hand them off, so a sweep may take them at once instead of after the lease. Best
    /// effort, on a connection of its own: if it fails too, the claims lapse after the lease.
    /// </summary>
    private async Task ReleaseClaimAsync(IReadOnlyList<SettleRequest> requests, DateTime claim)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<Outbox.OwedEventStore>()
                .ReleaseAsync([.. requests.Select(r => r.TrackId)], claim, TimeSpan.Zero, CancellationToken.None);
            _owed.Wake();
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            // The database is away: the claims lapse after Outbox:ClaimLease and a sweep takes the events.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _reads.DisposeAsync();
        await _settles.DisposeAsync();
    }
}
