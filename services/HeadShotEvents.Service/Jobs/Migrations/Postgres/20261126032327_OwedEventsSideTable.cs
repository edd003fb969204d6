using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadShotEvents.Service.Jobs.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class OwedEventsSideTable : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "head_shot_owed_events",
                columns: table => new
                {
                    TrackId = table.Column<long>(type: "bigint", nullable: false),
                    ClaimedUntil = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_head_shot_owed_events", x => x.TrackId);
                });

            // Events owed under the older release's mark (on the job row) move to the table, and their
            // marks are cleared. The table is locked first, so that no older release's settle commits
            // between the move and the triggers unseen by both (its writes wait for this migration's
            // commit). While that release still runs beside this one (a rolling upgrade), triggers copy
            // what it writes: its settle's mark and its claims become the event's row, its clear
            // deletes the row. So this release's dispatchers publish what an older one settled and
            // could not publish (crashed, claim lapsed), and leave alone what it holds. An event both
            // publish (an older dispatcher's clear that no longer finds its mark, an older sweep taking
            // a mark this release already published) is published twice, which at-least-once allows:
            // its MessageId is the same. This release never sets the mark, so its own writes never
            // fire the triggers (UPDATE OF lists columns it never sets; the INSERT trigger's WHEN is
            // false). A later release drops the triggers and the columns.
            migrationBuilder.Sql("""
                LOCK TABLE head_shot_jobs IN SHARE ROW EXCLUSIVE MODE;
                INSERT INTO head_shot_owed_events ("TrackId", "ClaimedUntil")
                SELECT "TrackId", "PublishClaimedUntil" FROM head_shot_jobs WHERE "TerminalEventPending";
                UPDATE head_shot_jobs SET "TerminalEventPending" = FALSE, "PublishClaimedUntil" = NULL WHERE "TerminalEventPending";

                CREATE FUNCTION head_shot_owed_event_of_older_release() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW."TerminalEventPending" THEN
                        INSERT INTO head_shot_owed_events ("TrackId", "ClaimedUntil") VALUES (NEW."TrackId", NEW."PublishClaimedUntil")
                        ON CONFLICT ("TrackId") DO UPDATE SET "ClaimedUntil" = EXCLUDED."ClaimedUntil";
                    ELSE
                        DELETE FROM head_shot_owed_events WHERE "TrackId" = NEW."TrackId";
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER head_shot_owed_event_of_older_release_insert AFTER INSERT ON head_shot_jobs
                    FOR EACH ROW WHEN (NEW."TerminalEventPending") EXECUTE FUNCTION head_shot_owed_event_of_older_release();
                CREATE TRIGGER head_shot_owed_event_of_older_release_update AFTER UPDATE OF "TerminalEventPending", "PublishClaimedUntil" ON head_shot_jobs
                    FOR EACH ROW WHEN (NEW."TerminalEventPending" OR OLD."TerminalEventPending") EXECUTE FUNCTION head_shot_owed_event_of_older_release();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Back on the job rows, where the older release looks for them.
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS head_shot_owed_event_of_older_release_insert ON head_shot_jobs;
                DROP TRIGGER IF EXISTS head_shot_owed_event_of_older_release_update ON head_shot_jobs;
                DROP FUNCTION IF EXISTS head_shot_owed_event_of_older_release();
                UPDATE head_shot_jobs SET "TerminalEventPending" = FALSE, "PublishClaimedUntil" = NULL
                WHERE "TerminalEventPending" AND "TrackId" NOT IN (SELECT "TrackId" FROM head_shot_owed_events);
                UPDATE head_shot_jobs AS j SET "TerminalEventPending" = TRUE, "PublishClaimedUntil" = o."ClaimedUntil"
                FROM head_shot_owed_events AS o WHERE o."TrackId" = j."TrackId";
                """);
            migrationBuilder.DropTable(
                name: "head_shot_owed_events");
        }
    }
}
