using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HeadShotEvents.Service.Outbox;

/// <summary>
/// <c>head_shot_owed_events</c>: one row per terminal job whose event is not yet on the bus. Written
/// in the same commit as the terminal transition, deleted once the bus has confirmed the event: a
/// crash in between leaves the row, and the event is published later.
/// </summary>
/// <remarks>
/// A table of its own rather than a mark on the job row: clearing a mark there rewrote the whole
/// job row with every index entry it has (a non-HOT update, since the sweep's index covers the
/// mark), once per job; deleting a row of two columns here touches one small index. The table
/// holds only what is owed, so the sweep reads it in key order without an index of its own.
/// </remarks>
public sealed class OwedEventRow
{
    public const string Table = "head_shot_owed_events";

    /// <summary>The job whose terminal event is owed.</summary>
    public long TrackId { get; set; }

    /// <summary>
    /// Until when one outbox dispatcher holds the claim to publish it (null: free): two dispatchers
    /// never publish the same event at once, and one whose lease lapsed no longer owns it.
    /// </summary>
    public DateTime? ClaimedUntil { get; set; }

    public static void Configure(EntityTypeBuilder<OwedEventRow> owed)
    {
        owed.ToTable(Table);
        owed.HasKey(o => o.TrackId);
        owed.Property(o => o.TrackId).ValueGeneratedNever();
        // No foreign key to the job: only the statement that settles a job inserts its row (and the
        // triggers of the migration, for an older release's settle), so the job is there, and jobs
        // are never deleted. The key's check is a query per row, on every settle.
    }
}
