using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HeadShotEvents.Service.Jobs.Schema;

/// <summary>
/// Brings the job store's schema to the migrations this build carries (<see cref="MigrateAsync"/>),
/// or checks that someone did (<see cref="VerifyCurrentAsync"/>). Refuses a database that a newer
/// release has migrated: this build would read and write columns it does not know the meaning of.
/// </summary>
public sealed partial class SchemaMigrator(JobsDbContext db, IOptions<JobStoreOptions> options, ILogger<SchemaMigrator> logger)
{
    /// <summary>Every migration of this build, oldest first.</summary>
    public IReadOnlyList<string> Known => db.Database.GetMigrations().ToList();

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await CreateDatabaseAsync(cancellationToken);
        await using (await MigrationLock.TakeAsync(db, options.Value.MigrationLockTimeout, cancellationToken))
        {
            var state = await ReadAsync(cancellationToken);
            RefuseNewer(state);
            if (state.Adoptable)
            {
                await EnsureCreatedAdoption.AdoptAsync(db, cancellationToken);
                LogAdopted(logger, Known[0]);
            }

            if (db.Database.IsSqlite())
            {
                // EF's own SQLite lock is a row that a killed migrator leaves behind, and every later
                // start would wait on it forever; under our lock no other migrator is running.
                await db.Database.ExecuteSqlRawAsync(
                    "CREATE TABLE IF NOT EXISTS \"__EFMigrationsLock\" (\"Id\" INTEGER NOT NULL PRIMARY KEY, \"Timestamp\" TEXT NOT NULL); DELETE FROM \"__EFMigrationsLock\";",
                    cancellationToken);
            }

            // From the history as read in SQL: EF's own pending query would first SELECT from a history
            // table a fresh store does not have yet, and log that failure as an error at every first start.
            var applied = state.Adoptable ? [Known[0]] : state.Applied;
            var pending = Known.Except(applied, StringComparer.Ordinal).ToList();
            // EF finds out whether its history table exists by selecting from it and logging the failure
            // as an error; created first (under our lock), a fresh store's first start logs no error.
            await db.GetService<IHistoryRepository>().CreateIfNotExistsAsync(cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            if (pending.Count > 0)
            {
                LogApplied(logger, string.Join(", ", pending));
            }
            else
            {
                LogCurrent(logger, Known[^1]);
            }
        }

        if (db.Database.IsSqlite())
        {
            // Readers (status API, receiver) must not block the writer of another role in the same file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    /// <summary>For <c>Jobs:Migrate=Never</c>: changes nothing, and throws unless the schema is exactly this build's.</summary>
    public async Task VerifyCurrentAsync(CancellationToken cancellationToken)
    {
        if (!await db.Database.GetService<IRelationalDatabaseCreator>().ExistsAsync(cancellationToken))
        {
            throw new JobStoreSchemaException(
                "The job store database does not exist and Jobs:Migrate is Never: create it with `HeadShotEvents.Service migrate` first.");
        }

        var state = await ReadAsync(cancellationToken);
        RefuseNewer(state);
        if (state.Adoptable)
        {
            throw new JobStoreSchemaException(
                "The job store was created by a release without migrations (EnsureCreated) and Jobs:Migrate is Never: " +
                "run `HeadShotEvents.Service migrate` once to adopt it, then start the service.");
        }

        var pending = Known.Except(state.Applied, StringComparer.Ordinal).ToList();
        if (pending.Count > 0)
        {
            throw new JobStoreSchemaException(
                $"The job store's schema is behind this build (pending: {string.Join(", ", pending)}) and Jobs:Migrate is Never: " +
                "run `HeadShotEvents.Service migrate` first, then start the service.");
        }

        LogCurrent(logger, Known[^1]);
    }

    private sealed record SchemaState(IReadOnlyList<string> Applied, bool Adoptable);

    private async Task<SchemaState> ReadAsync(CancellationToken cancellationToken)
    {
        // Asked in SQL, not through EF's history repository, which remembers a "no" for the rest of the context's life.
        if ((await EnsureCreatedAdoption.ColumnsAsync(db, HistoryRepository.DefaultTableName, cancellationToken)).Count > 0)
        {
            return new SchemaState((await db.Database.GetAppliedMigrationsAsync(cancellationToken)).ToList(), Adoptable: false);
        }

        return new SchemaState([], await EnsureCreatedAdoption.FindAsync(db, cancellationToken));
    }

    private void RefuseNewer(SchemaState state)
    {
        var unknown = state.Applied.Except(Known, StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new JobStoreSchemaException(
                $"The job store has migrations this build does not know ({string.Join(", ", unknown)}): a newer release has " +
                $"upgraded it. This build knows up to {Known[^1]}; run the newer release (or later) instead.");
        }
    }

    /// <summary>
    /// EF's Migrate creates a missing PostgreSQL database too, but two instances doing it at once
    /// race; and the advisory lock needs the database to exist first. One of them wins, the other
    /// finds it made.
    /// </summary>
    private async Task CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!db.Database.IsNpgsql() || await creator.ExistsAsync(cancellationToken))
        {
            return;
        }

        try
        {
            await creator.CreateAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another instance created it a moment before us.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Adopted a job store created without migrations as {Baseline}")]
    private static partial void LogAdopted(ILogger logger, string baseline);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied job store migrations {Migrations}")]
    private static partial void LogApplied(ILogger logger, string migrations);

    [LoggerMessage(Level = LogLevel.Information, Message = "The job store's schema is current ({Latest})")]
    private static partial void LogCurrent(ILogger logger, string latest);
}
