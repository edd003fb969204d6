using Npgsql;
using NpgsqlTypes;

namespace HeadShotEvents.Service.Timeline;

/// <summary>
/// <see cref="TimelineStore.AppendAsync"/> on PostgreSQL: the batch as nine arrays, one per column,
/// under ONE statement text whatever the batch's size. A VALUES list with a parameter per field made
/// a new text for every batch size, each parsed and planned again and each taking one of the
/// connection's auto-prepared statements from the hot path's own.
/// </summary>
internal static class PostgresTimeline
{
    private static readonly string Statement = $"""
        WITH {TimelineStore.Slotted("""
            SELECT * FROM unnest(@i::integer[], @t::bigint[], @n::integer[], @a::timestamptz[], @k::text[], @o::text[], @d::text[], @m::text[], @q::text[])
            """)},
        stored AS ({TimelineStore.Insert} RETURNING "TrackId", "Slot")
        SELECT s."I" FROM s
        WHERE s."Slot" < {TimelineEntry.MaxPerJob - 1} AND NOT EXISTS (SELECT 1 FROM stored WHERE stored."TrackId" = s."TrackId" AND stored."Slot" = s."Slot")
        ORDER BY s."I"
        """;

    /// <summary>Sets the statement and its arrays; it returns the positions (<c>I</c>) of records whose slot a concurrent writer took.</summary>
    public static void Bind(NpgsqlCommand command, IReadOnlyList<TimelineRecord> records)
    {
        command.CommandText = Statement;
        var p = command.Parameters;
        p.Add(new NpgsqlParameter<int[]>("i", [.. Enumerable.Range(0, records.Count)]));
        p.Add(new NpgsqlParameter<long[]>("t", [.. records.Select(r => r.TrackId)]));
        p.Add(new NpgsqlParameter<int[]>("n", TimelineStore.Ranks(records)));
        p.Add(new NpgsqlParameter<DateTime[]>("a", [.. records.Select(r => r.At)]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        p.Add(Text("k", records.Select(r => (string?)r.Kind.ToString())));
        p.Add(Text("o", records.Select(r => r.Outcome)));
        p.Add(Text("d", records.Select(r => r.Detail)));
        p.Add(Text("m", records.Select(r => r.MessageId)));
        p.Add(Text("q", records.Select(r => r.Queue)));
    }

    private static NpgsqlParameter Text(string name, IEnumerable<string?> values) =>
        new NpgsqlParameter<string?[]>(name, [.. values]) { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };
}
