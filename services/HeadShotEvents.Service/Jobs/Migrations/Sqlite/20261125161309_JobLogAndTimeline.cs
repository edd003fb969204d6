using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadShotEvents.Service.Jobs.Migrations.Sqlite
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
                    TrackId = table.Column<long>(type: "INTEGER", nullable: false),
                    Slot = table.Column<int>(type: "INTEGER", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    MessageId = table.Column<string>(type: "TEXT", maxLength: 36, nullable: true),
                    Queue = table.Column<string>(type: "TEXT", maxLength: 255, nullable: true)
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "head_shot_timeline");

            migrationBuilder.DropIndex(
                name: "IX_head_shot_jobs_Log",
                table: "head_shot_jobs");
        }
    }
}
