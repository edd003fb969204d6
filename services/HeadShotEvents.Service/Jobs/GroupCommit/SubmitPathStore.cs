using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Reconciling;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HeadShotEvents.Service.Jobs.GroupCommit;

/// <summary>ModelsLab queued a job: what its answer said, and when the first poll is due.</summary>
public sealed record QueuedRecord(long TrackId, string? ModelsLabId, double? EtaSeconds, DateTime SubmittedAt, DateTime FirstPoll);

/// <summary>
/// The submitter's writes, gathered like the webhook's (<see cref="HotPathStore"/>): the job rows of
/// requests consumed at the same moment are created in one round trip and one commit, and so are
/// ModelsLab's answers. Each row keeps its own condition, so the guarantees are those of
/// <see cref="JobStore.CreateAsync"/> and <see cref="JobStore.RecordQueuedAsync"/>; a caller goes on
/// only once the commit holding its own row is durable. SQLite (the embedded store, one process)
/// takes the one-at-a-time path.
/// </summary>
public sealed class SubmitPathStore : IAsyncDisposable
{
    private readonly IServiceScopeFactory _scopes;
    private readonly TimeProvider _time;
    private readonly ReconcilerOptions _reconciler;
    private readonly bool _postgres;
    private readonly Coalescer<HeadShotJob, long?> _creates;
    private readonly Coalescer<QueuedRecord, bool> _queued;

    public SubmitPathStore(
        IServiceScopeFactory scopes, TimeProvider time, IOptions<GroupCommitOptions> options, IOptions<JobStoreOptions> store,
        IOptions<ReconcilerOptions> reconciler)
    {
        _scopes = scopes;
        _time = time;
        _reconciler = reconciler.Value;
        _postgres = store.Value.Provider == JobStoreProvider.Postgres;
        var settings = options.Value;
        _creates = new(CreateBatchAsync, settings.MaxBatch, settings.ConcurrentBatches);
        _queued = new(RecordQueuedBatchAsync, settings.MaxBatch, settings.ConcurrentBatches);
    }

    /// <summary>Creation batches and creations so far (how far the load let new jobs share a commit).</summary>
    public (long Batches, long Creates) CreateCounts => (_creates.Batches, _creates.Requests);

    /// <summary>Creations waiting for the next batch.</summary>
    public int CreatesWaiting => _creates.Waiting;

    /// <summary>
    /// <see cref="JobStore.CreateAsync"/>, committed together with every other creation asked for
    /// meanwhile. <paramref name="submitting"/>: the job starts claimed for sending.
    /// </summary>
    public async Task<(HeadShotJob Job, bool Created)> CreateAsync(
        HeadShotRequested request, string? traceParent, string? traceState, bool submitting, CancellationToken cancellationToken)
    {
        if (!_postgres)
        {
            await using var embedded = _scopes.CreateAsyncScope();
            return await embedded.ServiceProvider.GetRequiredService<JobStore>()
                .CreateAsync(request, traceParent, traceState, cancellationToken, submitting);
        }

        var row = JobStore.NewRow(request, traceParent, traceState, submitting, _time.GetUtcNow().UtcDateTime, _reconciler);
        if (await _creates.RunAsync(row, cancellationToken) is { } trackId)
        {
            row.TrackId = trackId;
            return (row, true);
        }

        // A job for this RequestId existed (a redelivery, a POST /headshots, or a delivery in the same batch).
        await using var scope = _scopes.CreateAsyncScope();
        var existing = await scope.ServiceProvider.GetRequiredService<JobStore>().FindByRequestIdAsync(request.RequestId, cancellationToken);
        return (existing ?? throw new InvalidOperationException($"Job for {request.RequestId} could not be created."), false);
    }

    /// <summary><see cref="JobStore.RecordQueuedAsync"/>, committed together with every other one asked for meanwhile.</summary>
    public async Task<bool> RecordQueuedAsync(QueuedRecord record, CancellationToken cancellationToken)
    {
        if (!_postgres)
        {
            await using var embedded = _scopes.CreateAsyncScope();
            return await embedded.ServiceProvider.GetRequiredService<JobStore>().RecordQueuedAsync(
                record.TrackId, record.ModelsLabId, record.EtaSeconds, record.SubmittedAt, record.FirstPoll, cancellationToken);
        }

        return await _queued.RunAsync(record, cancellationToken);
    }

    private Task<IReadOnlyList<long?>> CreateBatchAsync(IReadOnlyList<HeadShotJob> rows, CancellationToken cancellationToken) =>
        OnConnectionAsync(rows, PostgresSubmissions.CreateAsync, cancellationToken);

    private Task<IReadOnlyList<bool>> RecordQueuedBatchAsync(IReadOnlyList<QueuedRecord> records, CancellationToken cancellationToken) =>
        OnConnectionAsync(records, PostgresSubmissions.RecordQueuedAsync, cancellationToken);

    /// <summary>A batch on one of the store's pooled connections; refused as a whole, each request alone.</summary>
    private async Task<IReadOnlyList<TResult>> OnConnectionAsync<TRequest, TResult>(
        IReadOnlyList<TRequest> requests, Func<NpgsqlConnection, IReadOnlyList<TRequest>, CancellationToken, Task<IReadOnlyList<TResult>>> run,
        CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            return await OneByOne.OnFailureAsync(requests, together => run(connection, together, cancellationToken));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _creates.DisposeAsync();
        await _queued.DisposeAsync();
    }
}
