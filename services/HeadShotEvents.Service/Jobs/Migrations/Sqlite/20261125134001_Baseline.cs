using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadShotEvents.Service.Jobs.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Baseline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FriendlyName = table.Column<string>(type: "TEXT", nullable: true),
                    Xml = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_data_protection_keys", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "head_shot_jobs",
                columns: table => new
                {
                    TrackId = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RequestId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ModelsLabId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    TraceParent = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    TraceState = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    SubmittedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    NextPollAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    PollAttempts = table.Column<int>(type: "INTEGER", nullable: false),
                    EtaSeconds = table.Column<double>(type: "REAL", nullable: true),
                    Outputs = table.Column<string>(type: "TEXT", nullable: false),
                    OutputsExpireAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Delivery = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    GenerationSeconds = table.Column<double>(type: "REAL", nullable: true),
                    FailureReason = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    FailureMessage = table.Column<string>(type: "TEXT", nullable: true),
                    FieldErrors = table.Column<string>(type: "TEXT", nullable: true),
                    Metadata = table.Column<string>(type: "TEXT", nullable: true),
                    TerminalEventPending = table.Column<bool>(type: "INTEGER", nullable: false),
                    PublishClaimedUntil = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_head_shot_jobs", x => x.TrackId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_ModelsLabId",
                table: "head_shot_jobs",
                column: "ModelsLabId");

            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_NextPollAt",
                table: "head_shot_jobs",
                column: "NextPollAt");

            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_RequestId",
                table: "head_shot_jobs",
                column: "RequestId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_State",
                table: "head_shot_jobs",
                column: "State");

            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_TerminalEventPending_PublishClaimedUntil",
                table: "head_shot_jobs",
                columns: new[] { "TerminalEventPending", "PublishClaimedUntil" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "head_shot_jobs");
        }
    }
}
