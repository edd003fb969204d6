using System.Data.Common;
using HeadShotEvents.Service.Jobs;
using Microsoft.EntityFrameworkCore;

namespace HeadShotEvents.Service.Outbox;

/// <summary>
/// The outbox side of the job table: terminal jobs whose event is owed (TerminalEventPending) are
/// claimed in batches, and their marks cleared in one statement once the bus has confirmed them.
/// </summary>
public sealed class OwedEventStore(JobsDbContext db, TimeProvider time)
{
    /// <summary>
    /// One statement claims up to <paramref name="limit"/> owed events whose claim is free or lapsed
    /// and returns their ids: the row-level compare-and-swap means two dispatchers (in this process
    /// or another) never claim the same event at once. Plain SQL because it needs RETURNING, which
    /// both SQLite and PostgreSQL speak the same way.
    /// </summary>
    public async Task<IReadOnlyList<HeadShotJob>> ClaimAsync(int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        const string Free = """("TerminalEventPending" AND ("PublishClaimedUntil" IS NULL OR "PublishClaimedUntil" < @now))""";
        const string Claim = $"""
            UPDATE head_shot_jobs SET "PublishClaimedUntil" = @until
            WHERE "TrackId" IN (SELECT "TrackId" FROM head_shot_jobs WHERE {Free} ORDER BY "TrackId" LIMIT @limit)
              AND {Free}
            RETURNING "TrackId"
            """;

        var ids = new List<long>(limit);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Claim;
            Add(command, "now", now);
            Add(command, "until", now + lease);
            Add(command, "limit", limit);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        return ids.Count == 0
            ? []
            : await db.Jobs.AsNoTracking().Where(j => ids.Contains(j.TrackId)).ToListAsync(cancellationToken);
    }

    /// <summary>The bus confirmed these events: they are no longer owed.</summary>
    public Task ClearAsync(IReadOnlyCollection<long> trackIds, CancellationToken cancellationToken) =>
        db.Jobs.Where(j => trackIds.Contains(j.TrackId) && j.TerminalEventPending)
            .ExecuteUpdateAsync(set => set
                .SetProperty(j => j.TerminalEventPending, false)
                .SetProperty(j => j.PublishClaimedUntil, (DateTime?)null), cancellationToken);

    /// <summary>Publishing failed: free the claims so the next try (here or elsewhere) need not wait for the lease.</summary>
    public Task ReleaseAsync(IReadOnlyCollection<long> trackIds, CancellationToken cancellationToken) =>
        db.Jobs.Where(j => trackIds.Contains(j.TrackId) && j.TerminalEventPending)
            .ExecuteUpdateAsync(set => set.SetProperty(j => j.PublishClaimedUntil, (DateTime?)null), cancellationToken);

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
