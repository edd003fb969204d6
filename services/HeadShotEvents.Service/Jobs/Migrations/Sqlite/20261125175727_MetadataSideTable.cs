using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HeadShotEvents.Service.Jobs.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MetadataSideTable : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
