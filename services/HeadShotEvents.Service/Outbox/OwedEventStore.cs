using System.Data.Common;
using HeadShotEvents.Service.Jobs;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace HeadShotEvents.Service.Outbox;

/// <summary>One dispatcher's claim on a batch of owed events: the rows, and the lease value that marks them as its own.</summary>
public sealed record OwedBatch(IReadOnlyList<HeadShotJob> Jobs, DateTime ClaimedUntil);

/// <summary>
/// The outbox's table (<see cref="OwedEventRow"/>): owed events are claimed in batches, and deleted in
/// one statement once the bus has confirmed them.
/// </summary>
public sealed class OwedEventStore(JobsDbContext db, TimeProvider time)
{
    private const string Free = """("ClaimedUntil" IS NULL OR "ClaimedUntil" < @now)""";

    /// <summary>
    /// One statement claims up to <paramref name="limit"/> owed events whose claim is free or lapsed:
    /// the condition is checked again on each row as it is updated, so two dispatchers (in this
    /// process or another) never claim the same event at once. On PostgreSQL, SKIP LOCKED lets a
    /// second dispatcher take the next rows instead of waiting on the first's. Then the claimed jobs
    /// are read: terminal, their rows no longer change. Plain SQL because it needs RETURNING, which
    /// SQLite and PostgreSQL speak the same way.
    /// </summary>
    public async Task<OwedBatch> ClaimAsync(int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var until = Microseconds(now + lease);
        var skipLocked = db.Database.IsNpgsql() ? " FOR UPDATE SKIP LOCKED" : "";
        var claim = $"""
            UPDATE {OwedEventRow.Table} SET "ClaimedUntil" = @until
            WHERE "TrackId" IN (SELECT "TrackId" FROM {OwedEventRow.Table} WHERE {Free} ORDER BY "TrackId" LIMIT @limit{skipLocked})
              AND {Free}
            RETURNING "TrackId"
            """;

        var claimed = new List<long>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = claim;
            command.Parameters.Add(Parameter(command, "now", now));
            command.Parameters.Add(Parameter(command, "until", until));
            command.Parameters.Add(Parameter(command, "limit", limit));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                claimed.Add(reader.GetInt64(0));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        // Not cancelled with the sweep: what is claimed is read and published, or released by the
        // stopping dispatcher, never left to wait out its lease.
        var jobs = claimed.Count == 0
            ? []
            : await db.Jobs.AsNoTracking().Where(j => claimed.Contains(j.TrackId)).OrderBy(j => j.TrackId).ToListAsync(CancellationToken.None);
        return new OwedBatch(jobs, until);
    }

    /// <summary>
    /// The bus confirmed these events: they are no longer owed. Only rows this claim still holds: one
    /// whose lease lapsed and another dispatcher took is that dispatcher's to clear.
    /// </summary>
    public Task<int> ClearAsync(IReadOnlyCollection<long> trackIds, DateTime claimedUntil, CancellationToken cancellationToken) =>
        ClearAsync([.. trackIds.Select(id => (id, claimedUntil))], cancellationToken);

    /// <summary><see cref="ClearAsync(IReadOnlyCollection{long}, DateTime, CancellationToken)"/> for events each under its own claim (handed off by different settles).</summary>
    public Task<int> ClearAsync(IReadOnlyCollection<OwedEvent> events, CancellationToken cancellationToken) =>
        ClearAsync([.. events.Select(e => (e.Job.TrackId, e.ClaimedUntil))], cancellationToken);

    /// <summary>
    /// Publishing these failed (or was cut short): they stay owed and may be claimed again after
    /// <paramref name="retryAfter"/> (zero: at once), here or elsewhere. Only rows this claim still holds.
    /// </summary>
    /// <returns>The rows released.</returns>
    public Task<int> ReleaseAsync(IReadOnlyCollection<long> trackIds, DateTime claimedUntil, TimeSpan retryAfter, CancellationToken cancellationToken) =>
        ReleaseAsync([.. trackIds.Select(id => (id, claimedUntil))], retryAfter, cancellationToken);

    /// <summary><see cref="ReleaseAsync(IReadOnlyCollection{long}, DateTime, TimeSpan, CancellationToken)"/> for events each under its own claim.</summary>
    public Task<int> ReleaseAsync(IReadOnlyCollection<OwedEvent> events, TimeSpan retryAfter, CancellationToken cancellationToken) =>
        ReleaseAsync([.. events.Select(e => (e.Job.TrackId, e.ClaimedUntil))], retryAfter, cancellationToken);

    private Task<int> ClearAsync(List<(long TrackId, DateTime ClaimedUntil)> claims, CancellationToken cancellationToken) =>
        db.Database.IsNpgsql()
            ? ClaimedAsync(claims, $"DELETE FROM {OwedEventRow.Table} AS o USING", null, cancellationToken)
            : EachClaimAsync(claims, (ids, until) => Claimed(ids, until).ExecuteDeleteAsync(cancellationToken));

    private Task<int> ReleaseAsync(List<(long TrackId, DateTime ClaimedUntil)> claims, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        DateTime? next = retryAfter > TimeSpan.Zero ? Microseconds(time.GetUtcNow().UtcDateTime + retryAfter) : null;
        return db.Database.IsNpgsql()
            ? ClaimedAsync(claims, $"""UPDATE {OwedEventRow.Table} AS o SET "ClaimedUntil" = @next FROM""", next, cancellationToken)
            : EachClaimAsync(claims, (ids, until) => Claimed(ids, until).ExecuteUpdateAsync(set => set
                .SetProperty(o => o.ClaimedUntil, next), cancellationToken));
    }

    /// <summary>The owed events among <paramref name="trackIds"/> that this claim still holds.</summary>
    private IQueryable<OwedEventRow> Claimed(List<long> trackIds, DateTime claimedUntil) =>
        db.OwedEvents.Where(o => trackIds.Contains(o.TrackId) && o.ClaimedUntil == claimedUntil);

    /// <summary>SQLite (the embedded store): one statement per claim, claims being few there.</summary>
    private static async Task<int> EachClaimAsync(List<(long TrackId, DateTime ClaimedUntil)> claims, Func<List<long>, DateTime, Task<int>> update)
    {
        var rows = 0;
        foreach (var claim in claims.GroupBy(c => c.ClaimedUntil))
        {
            rows += await update([.. claim.Select(c => c.TrackId)], claim.Key);
        }

        return rows;
    }

    /// <summary>
    /// PostgreSQL: ONE statement (<paramref name="change"/>, a DELETE or an UPDATE joined to the pairs)
    /// for every (job, claim) pair, however many claims they came under (a batch of hand-offs comes
    /// from several settles, each with its claim). Each row is matched to its own claim, never to
    /// another pair's.
    /// </summary>
    private Task<int> ClaimedAsync(List<(long TrackId, DateTime ClaimedUntil)> claims, string change, DateTime? next, CancellationToken cancellationToken)
    {
        var sql = $"""
            {change} unnest(@ids, @claims) AS c("TrackId", "ClaimedUntil")
            WHERE o."TrackId" = c."TrackId" AND o."ClaimedUntil" = c."ClaimedUntil"
            """;
        List<NpgsqlParameter> parameters =
        [
            new NpgsqlParameter<long[]>("ids", [.. claims.Select(c => c.TrackId)]),
            new NpgsqlParameter<DateTime[]>("claims", [.. claims.Select(c => c.ClaimedUntil)]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
        ];
        if (change.Contains("@next", StringComparison.Ordinal))
        {
            parameters.Add(new NpgsqlParameter("next", NpgsqlDbType.TimestampTz) { Value = (object?)next ?? DBNull.Value });
        }

        return db.Database.ExecuteSqlRawAsync(sql, parameters, cancellationToken);
    }

    /// <summary>Whole microseconds: what PostgreSQL stores, so a claim reads back equal and marks its holder.</summary>
    internal static DateTime Microseconds(DateTime value) =>
        new(value.Ticks - (value.Ticks % (TimeSpan.TicksPerMillisecond / 1000)), DateTimeKind.Utc);

    /// <summary>A parameter of the provider in use (the command only makes it; it never runs).</summary>
    private static DbParameter Parameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        return parameter;
    }
}
