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
            command.CommandText = Statement(records, command, postgres);
            if (!postgres)
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
                return [];
            }

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
    /// their job (<c>N</c>, 1-based); a record's slot is its job's highest stored slot plus N. Slot 63
    /// becomes the truncation marker; beyond it nothing is inserted. A slot a concurrent writer took
    /// first is skipped (ON CONFLICT DO NOTHING); on PostgreSQL the statement returns those records' positions.
    /// </summary>
    private static string Statement(IReadOnlyList<TimelineRecord> records, DbCommand command, bool postgres)
    {
        var values = new StringBuilder();
        var rank = new Dictionary<long, int>();
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            rank[record.TrackId] = rank.GetValueOrDefault(record.TrackId) + 1;
            var at = Add(command, $"a{i}", record.At, null);
            // The first row names its types on PostgreSQL: a column of NULL parameters would otherwise be text-less "unknown".
            values.Append(i == 0 ? "" : ",\n").Append(CultureInfo.InvariantCulture,
                $"({Add(command, $"i{i}", i, null)}, {Add(command, $"t{i}", record.TrackId, null)}, {Add(command, $"n{i}", rank[record.TrackId], null)}, {at}, "
                + $"{Add(command, $"k{i}", record.Kind.ToString(), DbType.String)}, {Add(command, $"o{i}", record.Outcome, DbType.String)}, "
                + $"{Add(command, $"d{i}", record.Detail, DbType.String)}, {Add(command, $"m{i}", record.MessageId, DbType.String)}, "
                + $"{Add(command, $"q{i}", record.Queue, DbType.String)})");
        }

        var slotted = $"""
            v("I", "TrackId", "N", "At", "Kind", "Outcome", "Detail", "MessageId", "Queue") AS (VALUES {values}),
            s AS (SELECT v.*, COALESCE((SELECT MAX(e."Slot") FROM head_shot_timeline e WHERE e."TrackId" = v."TrackId"), -1) + v."N" AS "Slot" FROM v)
            """;
        var insert = $"""
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
        return postgres
            ? $"""
              WITH {slotted},
              stored AS ({insert} RETURNING "TrackId", "Slot")
              SELECT s."I" FROM s
              WHERE s."Slot" < {LastSlot} AND NOT EXISTS (SELECT 1 FROM stored WHERE stored."TrackId" = s."TrackId" AND stored."Slot" = s."Slot")
              ORDER BY s."I"
              """
            : $"WITH {slotted}\n{insert}";
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
