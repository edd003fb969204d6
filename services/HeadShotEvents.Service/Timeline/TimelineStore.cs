using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using HeadShotEvents.Service.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadShotEvents.Service.Timeline;

/// <summary>
/// <c>head_shot_timeline</c>: the entries of each job that its row cannot tell afterwards. Many jobs'
/// entries go in as ONE multi-row INSERT; each takes the next free slot of its job, and the bound is
/// the schema's (slots 0..63, a CHECK constraint and the primary key), not the writers' good manners.
/// </summary>
public sealed class TimelineStore(JobsDbContext db)
{
    private const int LastSlot = TimelineEntry.MaxPerJob - 1;

    public static void Configure(EntityTypeBuilder<TimelineEntry> entry)
    {
        entry.ToTable("head_shot_timeline", table => table.HasCheckConstraint(
            "CK_head_shot_timeline_Slot", $"\"Slot\" >= 0 AND \"Slot\" <= {LastSlot}"));
        entry.HasKey(e => new { e.TrackId, e.Slot });
        entry.Property(e => e.Kind).HasConversion<string>().HasMaxLength(TimelineEntry.KindLength);
        entry.Property(e => e.Outcome).HasMaxLength(TimelineEntry.OutcomeLength);
        entry.Property(e => e.Detail).HasMaxLength(TimelineEntry.DetailLength);
        entry.Property(e => e.MessageId).HasMaxLength(36);
        entry.Property(e => e.Queue).HasMaxLength(TimelineEntry.QueueLength);
    }

    /// <summary>The job's stored entries, in the order they were stored.</summary>
    public Task<List<TimelineEntry>> ReadAsync(long trackId, CancellationToken cancellationToken) =>
        db.TimelineEntries.AsNoTracking().Where(e => e.TrackId == trackId).OrderBy(e => e.Slot).ToListAsync(cancellationToken);

    /// <summary>
    /// Stores <paramref name="records"/> in one statement, in their order per job. A job whose slots
    /// are used up gets the <see cref="TimelineKind.Truncated"/> marker in its last slot and nothing
    /// more. Returns the records that lost their slot to a concurrent writer (another process writing
    /// the same job at the same moment; PostgreSQL only: SQLite has one writer at a time): the caller
    /// stores them again.
    /// </summary>
    public async Task<IReadOnlyList<TimelineRecord>> AppendAsync(IReadOnlyList<TimelineRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return [];
        }

        var postgres = db.Database.IsNpgsql();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            if (!postgres)
            {
                command.CommandText = SqliteStatement(records, command);
                await command.ExecuteNonQueryAsync(cancellationToken);
                return [];
            }

            PostgresTimeline.Bind((Npgsql.NpgsqlCommand)command, records);
            var lost = new List<TimelineRecord>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                lost.Add(records[reader.GetInt32(0)]);
            }

            return lost;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// <c>v</c> holds the records with their position in the batch (<c>I</c>) and their rank within
    /// their job (<c>N</c>, 1-based), from <paramref name="rows"/>; <c>s</c> gives each its slot: its
    /// job's highest stored slot plus N.
    /// </summary>
    internal static string Slotted(string rows) => $"""
        v("I", "TrackId", "N", "At", "Kind", "Outcome", "Detail", "MessageId", "Queue") AS ({rows}),
        s AS (SELECT v.*, COALESCE((SELECT MAX(e."Slot") FROM head_shot_timeline e WHERE e."TrackId" = v."TrackId"), -1) + v."N" AS "Slot" FROM v)
        """;

    /// <summary>
    /// Inserts <c>s</c>: slot 63 becomes the truncation marker, beyond it nothing is inserted, and a
    /// slot a concurrent writer took first is skipped (ON CONFLICT DO NOTHING).
    /// </summary>
    internal static readonly string Insert = $"""
        INSERT INTO head_shot_timeline ("TrackId", "Slot", "At", "Kind", "Outcome", "Detail", "MessageId", "Queue")
        SELECT "TrackId", "Slot", "At",
               CASE WHEN "Slot" = {LastSlot} THEN '{nameof(TimelineKind.Truncated)}' ELSE "Kind" END,
               CASE WHEN "Slot" = {LastSlot} THEN NULL ELSE "Outcome" END,
               CASE WHEN "Slot" = {LastSlot} THEN 'Later entries were dropped: at most {LastSlot} are kept per job.' ELSE "Detail" END,
               CASE WHEN "Slot" = {LastSlot} THEN NULL ELSE "MessageId" END,
               CASE WHEN "Slot" = {LastSlot} THEN NULL ELSE "Queue" END
        FROM s WHERE "Slot" <= {LastSlot}
        ON CONFLICT DO NOTHING
        """;

    /// <summary>Each record's rank within its job in this batch (1-based), in the batch's order.</summary>
    internal static int[] Ranks(IReadOnlyList<TimelineRecord> records)
    {
        var rank = new Dictionary<long, int>();
        var ranks = new int[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            ranks[i] = rank[records[i].TrackId] = rank.GetValueOrDefault(records[i].TrackId) + 1;
        }

        return ranks;
    }

    /// <summary>SQLite (the embedded store): the rows as a VALUES list with a parameter each, one writer at a time.</summary>
    private static string SqliteStatement(IReadOnlyList<TimelineRecord> records, DbCommand command)
    {
        var values = new StringBuilder();
        var ranks = Ranks(records);
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            values.Append(i == 0 ? "" : ",\n").Append(CultureInfo.InvariantCulture,
                $"({Add(command, $"i{i}", i, null)}, {Add(command, $"t{i}", record.TrackId, null)}, {Add(command, $"n{i}", ranks[i], null)}, "
                + $"{Add(command, $"a{i}", record.At, null)}, {Add(command, $"k{i}", record.Kind.ToString(), DbType.String)}, "
                + $"{Add(command, $"o{i}", record.Outcome, DbType.String)}, {Add(command, $"d{i}", record.Detail, DbType.String)}, "
                + $"{Add(command, $"m{i}", record.MessageId, DbType.String)}, {Add(command, $"q{i}", record.Queue, DbType.String)})");
        }

        return $"WITH {Slotted($"VALUES {values}")}\n{Insert}";
    }

    private static string Add(DbCommand command, string name, object? value, DbType? type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        if (type is { } dbType)
        {
            parameter.DbType = dbType;
        }

        command.Parameters.Add(parameter);
        return "@" + name;
    }
}
