using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadShotEvents.Service.Jobs.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DropModelsLabIdIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // No query of this release or of any before it filters on ModelsLabId (a callback is
            // correlated by its token's TrackId), yet the index took an entry on every insert and on
            // every non-HOT update of a job row, three or four per request. An older release still
            // running during a rolling upgrade loses nothing it used.
            // CONCURRENTLY (outside a transaction; IF EXISTS makes a retry after a crash safe): a plain
            // DROP INDEX queued behind a long statement would hold every read and write of the table
            // behind it, from both releases.
            migrationBuilder.Sql("""DROP INDEX CONCURRENTLY IF EXISTS "IX_head_shot_jobs_ModelsLabId";""", suppressTransaction: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_head_shot_jobs_ModelsLabId",
                table: "head_shot_jobs",
                column: "ModelsLabId");
        }
    }
}
