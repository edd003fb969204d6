using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadShotEvents.Service.Jobs.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PartialIndexesForOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_head_shot_jobs_NextPollAt",
                table: "head_shot_jobs");

            migrationBuilder.DropIndex(
                name: "IX_head_shot_jobs_State",
                table: "head_shot_jobs");

            migrationBuilder.DropIndex(
                name: "IX_head_shot_jobs_TerminalEventPending_PublishClaimedUntil",
                table: "head_shot_jobs");

            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_NextPollAt",
                table: "head_shot_jobs",
                column: "NextPollAt",
                filter: "\"NextPollAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_Owed",
                table: "head_shot_jobs",
                column: "TrackId",
                filter: "\"TerminalEventPending\"");

            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_State",
                table: "head_shot_jobs",
                column: "State",
                filter: "\"State\" IN ('Submitting', 'Processing')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_head_shot_jobs_NextPollAt",
                table: "head_shot_jobs");

            migrationBuilder.DropIndex(
                name: "IX_head_shot_jobs_Owed",
                table: "head_shot_jobs");

            migrationBuilder.DropIndex(
                name: "IX_head_shot_jobs_State",
                table: "head_shot_jobs");

            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_NextPollAt",
                table: "head_shot_jobs",
                column: "NextPollAt");

            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_State",
                table: "head_shot_jobs",
                column: "State");

            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_TerminalEventPending_PublishClaimedUntil",
                table: "head_shot_jobs",
                columns: new[] { "TerminalEventPending", "PublishClaimedUntil" });
        }
    }
}
