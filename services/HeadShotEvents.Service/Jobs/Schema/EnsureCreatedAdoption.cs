using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;

namespace HeadShotEvents.Service.Jobs.Schema;

/// <summary>
/// Releases up to 104466d made the schema with EnsureCreated and kept no migration history. Their
/// tables are exactly the Baseline migration's, so such a database is recorded as being at the
/// Baseline (one history row) and keeps its rows; it is never recreated.
/// </summary>
internal static class EnsureCreatedAdoption
{
    /// <summary>True when the database has the Baseline's tables but no history; throws if it has only part of them.</summary>
    public static async Task<bool> FindAsync(JobsDbContext db, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        var found = false;
        foreach (var (table, columns) in BaselineTables(db))
        {
            var present = await ColumnsAsync(db, table, cancellationToken);
            found |= present.Count > 0;
            missing.AddRange(columns.Where(c => !present.Contains(c)).Select(c => $"{table}.{c}"));
        }

        if (found && missing.Count > 0)
        {
            // An EnsureCreated schema from before PollAttempts, NextPollAt or PublishClaimedUntil existed.
            throw new JobStoreSchemaException(
                $"The job store was created by a release older than the migrations' baseline and lacks {string.Join(", ", missing)}. " +
                "It cannot be adopted as it is: let its jobs settle on that release, then start this one on an empty database " +
                "(or add the missing columns as the Baseline migration defines them).");
        }

        return found;
    }

    public static async Task AdoptAsync(JobsDbContext db, CancellationToken cancellationToken)
    {
        var history = db.GetService<IHistoryRepository>();
        var baseline = db.Database.GetMigrations().First();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript(), cancellationToken);
        await db.Database.ExecuteSqlRawAsync(
            history.GetInsertScript(new HistoryRow(baseline, ProductInfo.GetVersion())), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The tables and columns as the Baseline migration made them (not as the current model has them).</summary>
    private static IEnumerable<(string Table, IReadOnlyList<string> Columns)> BaselineTables(JobsDbContext db)
    {
        var migrations = db.GetService<IMigrationsAssembly>();
        var baseline = migrations.CreateMigration(migrations.Migrations.First().Value, db.Database.ProviderName!);
        var model = baseline.TargetModel ?? throw new InvalidOperationException("The Baseline migration has no target model.");
        return model.GetEntityTypes().Select(entity =>
        {
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            return (table.Name, (IReadOnlyList<string>)entity.GetProperties().Select(p => p.GetColumnName(table)!).ToList());
        });
    }

    public static async Task<HashSet<string>> ColumnsAsync(JobsDbContext db, string table, CancellationToken cancellationToken)
    {
        var query = db.Database.IsNpgsql()
            ? db.Database.SqlQuery<string>(
                $"SELECT column_name::text AS \"Value\" FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = {table}")
            : db.Database.SqlQuery<string>($"SELECT name AS \"Value\" FROM pragma_table_info({table})");
        return (await query.ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
    }
}
