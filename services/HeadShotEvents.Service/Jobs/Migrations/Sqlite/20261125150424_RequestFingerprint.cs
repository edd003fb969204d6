using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadShotEvents.Service.Jobs.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class RequestFingerprint : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RequestFingerprint",
                table: "head_shot_jobs",
                type: "TEXT",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "RequestFingerprint",
                table: "head_shot_jobs");
        }
    }
}
