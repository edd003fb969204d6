using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadShotEvents.Service.Jobs.Migrations.Sqlite
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
                    TrackId = table.Column<long>(type: "INTEGER", nullable: false),
                    ClaimedUntil = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_head_shot_owed_events", x => x.TrackId);
                });

            // Events owed under the older release's mark (on the job row) move to the table, and their
            // marks are cleared. The embedded store has one process, so no older release runs beside this one.
            migrationBuilder.Sql("""
                INSERT INTO head_shot_owed_events ("TrackId", "ClaimedUntil")
                SELECT "TrackId", "PublishClaimedUntil" FROM head_shot_jobs WHERE "TerminalEventPending";
                UPDATE head_shot_jobs SET "TerminalEventPending" = 0, "PublishClaimedUntil" = NULL WHERE "TerminalEventPending";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                UPDATE head_shot_jobs SET "TerminalEventPending" = 0, "PublishClaimedUntil" = NULL
                WHERE "TerminalEventPending" AND "TrackId" NOT IN (SELECT "TrackId" FROM head_shot_owed_events);
                UPDATE head_shot_jobs SET "TerminalEventPending" = 1,
                  "PublishClaimedUntil" = (SELECT o."ClaimedUntil" FROM head_shot_owed_events AS o WHERE o."TrackId" = head_shot_jobs."TrackId")
                WHERE "TrackId" IN (SELECT "TrackId" FROM head_shot_owed_events);
                """);
            migrationBuilder.DropTable(
                name: "head_shot_owed_events");
        }
    }
}
