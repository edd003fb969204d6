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
/// </summary>
internal static class PostgresSettlements
{
    private const string Common = """
        "FinishedAt" = $2, "ModelsLabId" = COALESCE("ModelsLabId", $3), "NextPollAt" = NULL,
        "TerminalEventPending" = TRUE, "PublishClaimedUntil" = NULL, "Version" = "Version" + 1, "UpdatedAt" = $4,
        "TraceParent" = COALESCE($5, "TraceParent"), "TraceState" = CASE WHEN $5 IS NULL THEN "TraceState" ELSE $6 END
        """;

    private const string Where = """
        WHERE "TrackId" = $1 AND "State" <> 'Completed' AND "State" <> 'Failed' AND ($7 IS NULL OR "Version" = $7)
        """;

    private const string Complete = $"""
        UPDATE head_shot_jobs SET "State" = 'Completed', {Common},
          "Outputs" = $8, "OutputsExpireAt" = $9, "Delivery" = $10, "GenerationSeconds" = $11
        {Where}
        """;

    private const string Fail = $"""
        UPDATE head_shot_jobs SET "State" = 'Failed', {Common},
          "FailureReason" = $8, "FailureMessage" = $9, "FieldErrors" = $10
        {Where}
        """;

    public static async Task<IReadOnlyList<bool>> RunAsync(
        JobsDbContext db, IReadOnlyList<SettleRequest> requests, DateTime now, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await using var batch = new NpgsqlBatch(connection);
            var order = LockOrder.Of(requests, r => r.TrackId);
            foreach (var i in order)
            {
                batch.BatchCommands.Add(Command(requests[i], now));
            }

            await batch.PrepareAsync(cancellationToken);
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return LockOrder.Back(order, batch, c => c.RecordsAffected == 1);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static NpgsqlBatchCommand Command(SettleRequest request, DateTime now)
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
