using Npgsql;
using NpgsqlTypes;

namespace HeadShotEvents.Service.Jobs.GroupCommit;

/// <summary>
/// The submitter's two writes in PostgreSQL's own terms, each for a whole batch in ONE round trip and
/// ONE commit (an <see cref="NpgsqlBatch"/> is one implicit transaction): the job rows created for
/// new requests, and the Processing state ModelsLab's answer puts jobs in. The columns are EF's (see
/// <see cref="JobsDbContext"/>): enums as their names, maps as JSON text; the tests that run the
/// submitter on PostgreSQL read the rows back through EF.
/// </summary>
internal static class PostgresSubmissions
{
    /// <summary>A RequestId seen before creates nothing and returns no row: the caller reads the existing job.</summary>
    private const string Create = """
        INSERT INTO head_shot_jobs ("RequestId", "State", "TraceParent", "TraceState", "CreatedAt", "UpdatedAt", "SubmittedAt",
          "NextPollAt", "PollAttempts", "Outputs", "Metadata", "RequestFingerprint", "TerminalEventPending", "Version")
        VALUES ($1, $2, $3, $4, $5, $5, $6, $7, 0, '{}', $8, $9, FALSE, 0)
        ON CONFLICT ("RequestId") DO NOTHING
        RETURNING "TrackId"
        """;

    /// <summary><see cref="JobStore.RecordQueuedAsync"/>'s UPDATE: Processing, unless a fast callback settled the job first.</summary>
    private const string Queued = """
        UPDATE head_shot_jobs SET "State" = 'Processing', "ModelsLabId" = COALESCE("ModelsLabId", $2), "EtaSeconds" = $3,
          "SubmittedAt" = $4, "NextPollAt" = CASE WHEN "NextPollAt" IS NOT NULL AND "NextPollAt" < $5 THEN "NextPollAt" ELSE $5 END,
          "Version" = "Version" + 1, "UpdatedAt" = $4
        WHERE "TrackId" = $1 AND "State" <> 'Completed' AND "State" <> 'Failed'
        """;

    /// <summary>Per row: its new TrackId, or null when a job for its RequestId already existed.</summary>
    public static async Task<IReadOnlyList<long?>> CreateAsync(NpgsqlConnection connection, IReadOnlyList<HeadShotJob> rows, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        var order = LockOrder.Of(rows, r => r.RequestId);
        foreach (var row in order.Select(i => rows[i]))
        {
            var command = new NpgsqlBatchCommand(Create);
            var p = command.Parameters;
            p.Add(new NpgsqlParameter<Guid> { TypedValue = row.RequestId });
            p.Add(Value(NpgsqlDbType.Varchar, row.State.ToString()));
            p.Add(Value(NpgsqlDbType.Varchar, row.TraceParent));
            p.Add(Value(NpgsqlDbType.Varchar, row.TraceState));
            p.Add(Value(NpgsqlDbType.TimestampTz, row.CreatedAt));
            p.Add(Value(NpgsqlDbType.TimestampTz, row.SubmittedAt));
            p.Add(Value(NpgsqlDbType.TimestampTz, row.NextPollAt));
            p.Add(Value(NpgsqlDbType.Text, JobsDbContext.StoredJson(row.Metadata)));
            p.Add(Value(NpgsqlDbType.Varchar, row.RequestFingerprint));
            batch.BatchCommands.Add(command);
        }

        await batch.PrepareAsync(cancellationToken);
        var created = new long?[rows.Count];
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        foreach (var i in order)
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                created[i] = reader.GetInt64(0);
            }

            await reader.NextResultAsync(cancellationToken);
        }

        return created;
    }

    /// <summary>Per record: whether it applied (false: the job was settled first).</summary>
    public static async Task<IReadOnlyList<bool>> RecordQueuedAsync(NpgsqlConnection connection, IReadOnlyList<QueuedRecord> records, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        var order = LockOrder.Of(records, r => r.TrackId);
        foreach (var record in order.Select(i => records[i]))
        {
            var command = new NpgsqlBatchCommand(Queued);
            var p = command.Parameters;
            p.Add(new NpgsqlParameter<long> { TypedValue = record.TrackId });
            p.Add(Value(NpgsqlDbType.Varchar, record.ModelsLabId));
            p.Add(Value(NpgsqlDbType.Double, record.EtaSeconds));
            p.Add(Value(NpgsqlDbType.TimestampTz, record.SubmittedAt));
            p.Add(Value(NpgsqlDbType.TimestampTz, record.FirstPoll));
            batch.BatchCommands.Add(command);
        }

        await batch.PrepareAsync(cancellationToken);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return LockOrder.Back(order, batch, c => c.RecordsAffected == 1);
    }

    private static NpgsqlParameter Value(NpgsqlDbType type, object? value) => new() { NpgsqlDbType = type, Value = value ?? DBNull.Value };
}
