using HeadShotEvents.Service.Jobs.Migrations;
using Microsoft.EntityFrameworkCore;

namespace HeadShotEvents.Service.Tests.Migrations;

/// <summary>The migrations committed for each provider agree with the model and with each other.</summary>
public sealed class MigrationSetTests
{
    private static PostgresJobsDbContext Postgres() =>
        new(new DbContextOptionsBuilder<PostgresJobsDbContext>().UseNpgsql("Host=not-connected").Options);

    private static SqliteJobsDbContext Sqlite() =>
        new(new DbContextOptionsBuilder<SqliteJobsDbContext>().UseSqlite("Data Source=not-connected.db").Options);

    public static IReadOnlyList<string> PostgresMigrations()
    {
        using var postgres = Postgres();
        return postgres.Database.GetMigrations().ToList();
    }

    [Fact]
    public void The_model_has_no_change_that_lacks_a_migration_on_either_provider()
    {
        using var postgres = Postgres();
        using var sqlite = Sqlite();
        Assert.False(postgres.Database.HasPendingModelChanges(), "PostgreSQL: run scripts/add-migration.sh");
        Assert.False(sqlite.Database.HasPendingModelChanges(), "SQLite: run scripts/add-migration.sh");
    }

    [Fact]
    public void Both_providers_carry_the_same_migrations_starting_with_the_baseline()
    {
        using var postgres = Postgres();
        using var sqlite = Sqlite();
        var ids = postgres.Database.GetMigrations().ToList();
        Assert.Equal(ids, sqlite.Database.GetMigrations());
        Assert.Equal(UpgradeTests.Baseline, ids[0]);
    }
}
