using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadShotEvents.Service.Jobs.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class JobLogAndTimeline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "head_shot_timeline",
                columns: table => new
                {
                    TrackId = table.Column<long>(type: "bigint", nullable: false),
                    Slot = table.Column<int>(type: "integer", nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Outcome = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    Detail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    MessageId = table.Column<string>(type: "character varying(36)", maxLength: 36, nullable: true),
                    Queue = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_head_shot_timeline", x => new { x.TrackId, x.Slot });
                    table.CheckConstraint("CK_head_shot_timeline_Slot", "\"Slot\" >= 0 AND \"Slot\" <= 63");
                });

            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_Log",
                table: "head_shot_jobs",
                columns: new[] { "CreatedAt", "TrackId" },
                descending: new bool[0]);

            // The job log's metadata filter ("Metadata"::jsonb @> '{"key":"value"}'). EF does not model
            // expression indexes, so it lives here alone; SQLite has no counterpart (see JobLogReader).
            // Partial: jobs without metadata cost it nothing.
            migrationBuilder.Sql("""
                CREATE INDEX "IX_head_shot_jobs_Metadata" ON head_shot_jobs
                USING gin ((("Metadata")::jsonb) jsonb_path_ops) WHERE "Metadata" IS NOT NULL;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_head_shot_jobs_Metadata";""");

            migrationBuilder.DropTable(
                name: "head_shot_timeline");

            migrationBuilder.DropIndex(
                name: "IX_head_shot_jobs_Log",
                table: "head_shot_jobs");
        }
    }
}
