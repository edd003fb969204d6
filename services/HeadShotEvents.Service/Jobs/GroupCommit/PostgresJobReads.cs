using HeadShotEvents.Contracts;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HeadShotEvents.Service.Jobs.GroupCommit;

/// <summary>
/// The webhook's batched read in PostgreSQL's own terms: one fixed statement (prepared once per
/// connection), every column of each row, materialized by hand. Through EF Core a third of the
/// read's time went before the database: the query's expression tree walked and hashed per call to
/// find its cached plan, and the captured id list compiled into a parameter (see docs/benchmarks.md,
/// session 8). The columns are EF's (see <see cref="JobsDbContext"/>): enums as their names (read
/// as EF reads them), maps as JSON text; a test reads every property both ways and compares them.
/// </summary>
internal static class PostgresJobReads
{
    /// <summary>
    /// Each id asked probes the primary key on its own: <c>LIMIT 1</c> keeps the subquery a
    /// parameterized index scan, which PostgreSQL cannot turn into a join it might hash. Npgsql
    /// prepares the statement on each connection, and PostgreSQL makes that connection's generic
    /// plan on the sixth run and keeps it until the table is next analyzed, however much the table
    /// grows meanwhile. For <c>"TrackId" = ANY($1)</c>, a generic plan made while the table was new
    /// (never analyzed, which the planner takes for ten pages) was a sequential scan, and every read
    /// then scanned every job: 0.1-1.4 ms a read instead of 0.03 in 10 of 30 end-to-end
    /// benchmark runs, and on any new database until autovacuum's first ANALYZE
    /// (docs/benchmarks.md, session 10). A probe is cheaper than ten pages, so it stays an index
    /// scan there. Only a table analyzed while it held a few pages (autovacuum passing within
    /// moments of its first 50 jobs) plans a scan per id, cheap at that size, until the next ANALYZE.
    /// An id asked twice gives its row twice (the caller keeps one).
    /// </summary>
    internal const string Select = """
        SELECT job.* FROM unnest($1::bigint[]) AS asked(id)
        CROSS JOIN LATERAL (
          SELECT "TrackId", "RequestId", "ModelsLabId", "State", "TraceParent", "TraceState", "CreatedAt", "UpdatedAt",
            "SubmittedAt", "FinishedAt", "NextPollAt", "PollAttempts", "EtaSeconds", "Outputs", "OutputsExpireAt", "Delivery",
            "GenerationSeconds", "FailureReason", "FailureMessage", "FieldErrors", "RequestFingerprint", "Metadata",
            "TerminalEventPending", "PublishClaimedUntil", "Version"
          FROM head_shot_jobs WHERE head_shot_jobs."TrackId" = asked.id LIMIT 1) AS job
        """;

    /// <summary>The jobs among <paramref name="trackIds"/> that exist, by TrackId (not tracked: nothing is written back through them).</summary>
    public static async Task<Dictionary<long, HeadShotJob>> ReadAsync(JobsDbContext db, long[] trackIds, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand(Select, (NpgsqlConnection)db.Database.GetDbConnection());
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = trackIds });
            await command.PrepareAsync(cancellationToken);
            var rows = new Dictionary<long, HeadShotJob>(trackIds.Length);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var job = Job(reader);
                rows[job.TrackId] = job;
            }

            return rows;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static HeadShotJob Job(NpgsqlDataReader r) => new()
    {
        TrackId = r.GetInt64(0),
        RequestId = r.GetGuid(1),
        ModelsLabId = Text(r, 2),
        State = Enumerated<JobState>(r.GetString(3)),
        TraceParent = Text(r, 4),
        TraceState = Text(r, 5),
        CreatedAt = r.GetDateTime(6),
        UpdatedAt = r.GetDateTime(7),
        SubmittedAt = Time(r, 8),
        FinishedAt = Time(r, 9),
        NextPollAt = Time(r, 10),
        PollAttempts = r.GetInt32(11),
        EtaSeconds = r.IsDBNull(12) ? null : r.GetDouble(12),
        Outputs = [.. r.GetFieldValue<string[]>(13)],
        OutputsExpireAt = Time(r, 14),
        Delivery = Text(r, 15) is { } delivery ? Enumerated<HeadShotDelivery>(delivery) : null,
        GenerationSeconds = r.IsDBNull(16) ? null : r.GetDouble(16),
        FailureReason = Text(r, 17) is { } reason ? Enumerated<HeadShotFailureReason>(reason) : null,
        FailureMessage = Text(r, 18),
        FieldErrors = JobsDbContext.FromStoredJson<Dictionary<string, string[]>>(Text(r, 19)),
        RequestFingerprint = Text(r, 20),
        Metadata = JobsDbContext.FromStoredJson<Dictionary<string, string>>(Text(r, 21)),
        TerminalEventPending = r.GetBoolean(22),
        PublishClaimedUntil = Time(r, 23),
        Version = r.GetInt32(24),
    };

    /// <summary>
    /// As EF's string-to-enum conversion reads a name: case-insensitive, a number as its value, and a
    /// name the enum does not have refused (a batch holding that row fails, as its EF query did).
    /// </summary>
    private static T Enumerated<T>(string name) where T : struct, Enum =>
        Enum.TryParse<T>(name, ignoreCase: true, out var value)
            ? value
            : throw new InvalidOperationException($"Cannot convert string value '{name}' from the database to any value in the mapped '{typeof(T).Name}' enum.");

    /// <summary>A nullable text column (also <see cref="PostgresSettlements"/>'s RETURNING).</summary>
    internal static string? Text(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    /// <summary>A nullable timestamptz column, as a UTC <see cref="DateTime"/>.</summary>
    internal static DateTime? Time(NpgsqlDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetDateTime(ordinal);
}
