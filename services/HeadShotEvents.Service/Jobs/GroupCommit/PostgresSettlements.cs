using HeadShotEvents.Contracts;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace HeadShotEvents.Service.Jobs.GroupCommit;

/// <summary>
/// <see cref="JobStore.SettleAsync"/>'s UPDATE in PostgreSQL's own terms, for a whole batch in ONE
/// round trip: an <see cref="NpgsqlBatch"/> runs as one implicit transaction (one commit, one WAL
/// flush), and each statement is prepared once per connection. Each UPDATE keeps its own condition
/// (not yet terminal; at the expected version when one is given), so two settles of one job in one
/// batch apply once. The columns are EF's (see <see cref="JobsDbContext"/>): enums as their names,
/// maps as JSON text; the tests that run the hot path on PostgreSQL read the rows back through EF.
/// Each UPDATE writes the event owed (a row of <see cref="Outbox.OwedEventRow"/>) in the same statement,
/// and returns what the terminal event needs beyond the settlement itself, so a settle that claims its
/// event for this process's dispatcher hands it the whole event without another read.
/// </summary>
internal static class PostgresSettlements
{
    private const string Common = """
        "FinishedAt" = $2, "ModelsLabId" = COALESCE("ModelsLabId", $3), "NextPollAt" = NULL,
        "Version" = "Version" + 1, "UpdatedAt" = $4,
        "TraceParent" = COALESCE($5, "TraceParent"), "TraceState" = CASE WHEN $5 IS NULL THEN "TraceState" ELSE $6 END
        """;

    private const string Where = """
        WHERE "TrackId" = $1 AND "State" <> 'Completed' AND "State" <> 'Failed' AND ($7 IS NULL OR "Version" = $7)
        """;

    private const string Columns = """
        "RequestId", "ModelsLabId", "TraceParent", "TraceState", "Metadata", "CreatedAt", "Version", "FinishedAt", "OutputsExpireAt"
        """;

    /// <summary>The settled row owes its event: a row of the outbox's table, claimed as <c>$8</c> says, in the same statement.</summary>
    private const string Owed = $"""
        RETURNING "TrackId", {Columns}),
        owed AS (INSERT INTO {Outbox.OwedEventRow.Table} ("TrackId", "ClaimedUntil") SELECT "TrackId", $8 FROM settled)
        SELECT {Columns} FROM settled
        """;

    private const string Complete = $"""
        WITH settled AS (UPDATE head_shot_jobs SET "State" = 'Completed', {Common},
          "Outputs" = $9, "OutputsExpireAt" = $10, "Delivery" = $11, "GenerationSeconds" = $12
        {Where}
        {Owed}
        """;

    private const string Fail = $"""
        WITH settled AS (UPDATE head_shot_jobs SET "State" = 'Failed', {Common},
          "FailureReason" = $9, "FailureMessage" = $10, "FieldErrors" = $11
        {Where}
        {Owed}
        """;

    /// <summary>
    /// Settles the batch; each request's settled row (as the terminal event needs it), or null where
    /// its condition did not hold. <paramref name="claim"/> is written as the event's publish claim
    /// (null: unclaimed, any dispatcher's to take).
    /// </summary>
    public static async Task<IReadOnlyList<HeadShotJob?>> RunAsync(
        JobsDbContext db, IReadOnlyList<SettleRequest> requests, DateTime now, DateTime? claim, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using var batch = new NpgsqlBatch(connection);
            var order = LockOrder.Of(requests, r => r.TrackId);
            foreach (var i in order)
            {
                batch.BatchCommands.Add(Command(requests[i], now, claim));
            }

            await batch.PrepareAsync(cancellationToken);
            var settled = new HeadShotJob?[order.Length];
            // Read to the end before anything is handed on: the server commits at the batch's end
            // whether or not this side reads, and reading every result is how it learns the commit held.
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
            {
                var k = 0;
                do
                {
                    if (await reader.ReadAsync(cancellationToken))
                    {
                        settled[k] = Settled(reader, requests[order[k]], now);
                    }

                    k++;
                }
                while (await reader.NextResultAsync(cancellationToken));
            }

            return LockOrder.Back(order, settled);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>The row as the UPDATE left it: the settlement's own columns, and the rest as RETURNING gave them.</summary>
    private static HeadShotJob Settled(NpgsqlDataReader reader, SettleRequest request, DateTime now)
    {
        var s = request.Settlement;
        return new HeadShotJob
        {
            TrackId = request.TrackId,
            RequestId = reader.GetGuid(0),
            ModelsLabId = PostgresJobReads.Text(reader, 1),
            TraceParent = PostgresJobReads.Text(reader, 2),
            TraceState = PostgresJobReads.Text(reader, 3),
            Metadata = JobsDbContext.FromStoredJson<Dictionary<string, string>>(PostgresJobReads.Text(reader, 4)),
            CreatedAt = reader.GetDateTime(5),
            Version = reader.GetInt32(6),
            State = s.State,
            // As stored (whole microseconds), so the event equals one a sweep builds from the row.
            FinishedAt = reader.GetDateTime(7),
            UpdatedAt = now,
            Outputs = [.. s.Outputs ?? []],
            OutputsExpireAt = PostgresJobReads.Time(reader, 8),
            Delivery = s.Delivery,
            GenerationSeconds = s.GenerationSeconds,
            FailureReason = s.FailureReason,
            FailureMessage = s.FailureMessage,
            FieldErrors = s.FieldErrors,
        };
    }

    private static NpgsqlBatchCommand Command(SettleRequest request, DateTime now, DateTime? claim)
    {
        var s = request.Settlement;
        var completed = s.State == JobState.Completed;
        if (!completed && s.State != JobState.Failed)
        {
            throw new ArgumentException($"A settlement is Completed or Failed, not {s.State}.", nameof(request));
        }

        var command = new NpgsqlBatchCommand(completed ? Complete : Fail);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<long> { TypedValue = request.TrackId });
        p.Add(Value(NpgsqlDbType.TimestampTz, s.FinishedAt));
        p.Add(Value(NpgsqlDbType.Varchar, s.ModelsLabId));
        p.Add(Value(NpgsqlDbType.TimestampTz, now));
        p.Add(Value(NpgsqlDbType.Varchar, s.TraceParent));
        p.Add(Value(NpgsqlDbType.Varchar, s.TraceState));
        p.Add(Value(NpgsqlDbType.Integer, request.ExpectedVersion));
        p.Add(Value(NpgsqlDbType.TimestampTz, claim));
        if (completed)
        {
            p.Add(Value(NpgsqlDbType.Array | NpgsqlDbType.Text, s.Outputs?.ToArray() ?? []));
            p.Add(Value(NpgsqlDbType.TimestampTz, s.OutputsExpireAt));
            p.Add(Value(NpgsqlDbType.Varchar, s.Delivery?.ToString()));
            p.Add(Value(NpgsqlDbType.Double, s.GenerationSeconds));
        }
        else
        {
            p.Add(Value(NpgsqlDbType.Varchar, s.FailureReason?.ToString()));
            p.Add(Value(NpgsqlDbType.Text, s.FailureMessage));
            p.Add(Value(NpgsqlDbType.Text, JobsDbContext.StoredJson(s.FieldErrors)));
        }

        return command;
    }

    private static NpgsqlParameter Value(NpgsqlDbType type, object? value) => new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };
}
