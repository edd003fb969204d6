using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace HeadShotEvents.Service.Jobs.Schema;

/// <summary>
/// One migrator at a time across every process that shares the job store: N instances starting
/// together on an empty database apply the migrations once, and the others find them applied.
/// </summary>
internal static class MigrationLock
{
    /// <summary>An arbitrary constant naming this lock among PostgreSQL advisory locks (the key ring's is ...721).</summary>
    private const long PostgresKey = 5211879621950396722;

    public static readonly TimeSpan SqliteWait = TimeSpan.FromMinutes(2);

    public static async Task<IAsyncDisposable> TakeAsync(JobsDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            // Session-level, on the context's own connection, which the migrations then run on:
            // released when unlocked, or by PostgreSQL if this process dies holding it.
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({PostgresKey})", cancellationToken);
            return new Release(async () =>
            {
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({PostgresKey})", CancellationToken.None);
                await db.Database.CloseConnectionAsync();
            });
        }

        // SQLite has no lock that outlives one transaction, and a migration is several: an exclusive
        // handle on a file beside the database, which the operating system drops if this process dies.
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:")
        {
            return new Release(() => ValueTask.CompletedTask);
        }

        var path = Path.GetFullPath(file) + ".migrations-lock";
        var deadline = DateTime.UtcNow + SqliteWait;
        while (true)
        {
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new Release(() => stream.DisposeAsync());
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
            catch (IOException ex)
            {
                throw new JobStoreSchemaException(
                    $"Another process has held the job store's migration lock ({path}) for {SqliteWait.TotalMinutes} minutes; is a migration stuck? ({ex.Message})");
            }
        }
    }

    private sealed class Release(Func<ValueTask> release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => release();
    }
}
