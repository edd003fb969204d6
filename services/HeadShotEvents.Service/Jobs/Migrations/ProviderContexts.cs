using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace HeadShotEvents.Service.Jobs.Migrations;

// EF Core ties a migration to one context type, and a migration's SQL to one provider: a subclass
// per provider keeps PostgreSQL's and SQLite's migrations apart in one assembly ("migrations with
// multiple providers", the multiple-context-types way). The model is JobsDbContext's, unchanged.

/// <summary>The job store on PostgreSQL; its migrations are in <c>Jobs/Migrations/Postgres</c>.</summary>
public sealed class PostgresJobsDbContext(DbContextOptions<PostgresJobsDbContext> options) : JobsDbContext(options);

/// <summary>The job store on SQLite; its migrations are in <c>Jobs/Migrations/Sqlite</c>.</summary>
public sealed class SqliteJobsDbContext(DbContextOptions<SqliteJobsDbContext> options) : JobsDbContext(options);

/// <summary>
/// For <c>dotnet ef migrations add</c> only: a migration is computed from the model, never from a
/// live database, so the connection string names nothing real.
/// </summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresJobsDbContext>
{
    public PostgresJobsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresJobsDbContext>().UseNpgsql("Host=design-time-only").Options);
}

/// <inheritdoc cref="PostgresDesignTimeFactory"/>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteJobsDbContext>
{
    public SqliteJobsDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteJobsDbContext>().UseSqlite("Data Source=design-time-only.db").Options);
}
