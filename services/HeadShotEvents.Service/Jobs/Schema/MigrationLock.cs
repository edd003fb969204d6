using System.Data.Common;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace HeadShotEvents.Service.Jobs.Schema;

/// <summary>
/// One migrator at a time across every process that shares the job store: N instances starting
/// together on an empty database apply the migrations once, and the others find them applied. The
/// wait is bounded (<c>Jobs:MigrationLockTimeout</c>): a lock held longer than any migration takes
/// is a stuck migrator or a forgotten session, and a start that says so beats one that hangs.
/// </summary>
internal static class MigrationLock
{
    /// <summary>An arbitrary constant naming this lock among PostgreSQL advisory locks (the key ring's is ...721).</summary>
    private const long PostgresKey = 5211879621950396722;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    public static async Task<IAsyncDisposable> TakeAsync(JobsDbContext db, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            return await TakePostgresAsync(db, timeout, cancellationToken);
        }

        // SQLite has no lock that outlives one transaction, and a migration is several: an exclusive
        // handle on a file beside the database, which the operating system drops if this process dies.
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:")
        {
            return new Release(() => ValueTask.CompletedTask);
        }

        var path = Path.GetFullPath(file) + ".migrations-lock";
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new Release(() => stream.DisposeAsync());
            }
            catch (IOException) when (waited.Elapsed < timeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
            catch (IOException ex)
            {
                throw new JobStoreSchemaException(
                    $"Another process has held the job store's migration lock ({path}) for longer than {timeout} " +
                    $"(Jobs:MigrationLockTimeout); is a migration stuck? ({ex.Message})");
            }
        }
    }

    /// <summary>
    /// Session-level, on the context's own connection, which the migrations then run on: released
    /// when unlocked, or by PostgreSQL if this process dies holding it. Tried rather than waited on
    /// (pg_advisory_lock has no timeout of its own), so the wait ends when the setting says.
    /// </summary>
    private static async Task<IAsyncDisposable> TakePostgresAsync(JobsDbContext db, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        var waited = Stopwatch.StartNew();
        while (!await TryLockOrDropAsync(db, connection, cancellationToken))
        {
            if (waited.Elapsed >= timeout)
            {
                var holder = await HolderAsync(connection, cancellationToken);
                await db.Database.CloseConnectionAsync();
                throw new JobStoreSchemaException(
                    $"The job store's migration lock (PostgreSQL advisory lock {PostgresKey} in database '{connection.Database}') " +
                    $"was not free within {timeout} (Jobs:MigrationLockTimeout): held by {holder}. If another instance is migrating, " +
                    "let it finish or raise Jobs:MigrationLockTimeout; if that session is stuck, end it (pg_terminate_backend(pid)) and start again.");
            }

            await Task.Delay(Poll, cancellationToken);
        }

        return new Release(() => new ValueTask(PostgresConnections.UnlockAsync(db,
            () => db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({PostgresKey})", CancellationToken.None))));
    }

    /// <summary>A try cancelled or failed, perhaps after the server granted it: the session must not go back to the pool holding it.</summary>
    private static async Task<bool> TryLockOrDropAsync(JobsDbContext db, DbConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            return await TryLockAsync(connection, cancellationToken);
        }
        catch
        {
            await PostgresConnections.DropLockedConnectionAsync(db);
            throw;
        }
    }

    private static async Task<bool> TryLockAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT pg_try_advisory_lock({PostgresKey})";
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>
    /// Who holds the lock, from pg_locks (a bigint advisory key is classid = high 32 bits, objid = low
    /// 32 bits, objsubid = 1) and pg_stat_activity, which shows another role's sessions only in part.
    /// </summary>
    private static async Task<string> HolderAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT l.pid, a.application_name, host(a.client_addr), a.usename, a.backend_start, a.state, a.state_change
            FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid::bigint = {(PostgresKey >> 32) & 0xFFFFFFFF} AND l.objid::bigint = {PostgresKey & 0xFFFFFFFF}
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return "a session that has just released it (try again)";
        }

        string? Text(int column) => reader.IsDBNull(column) ? null : reader.GetValue(column) switch
        {
            DateTime time => time.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
            var value => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
        };
        return $"the session with pid {reader.GetInt32(0)} (application '{Text(1) ?? "?"}', user '{Text(3) ?? "?"}', " +
            $"client {Text(2) ?? "local socket"}, connected since {Text(4) ?? "?"}, {Text(5) ?? "state unknown"} since {Text(6) ?? "?"})";
    }

    private sealed class Release(Func<ValueTask> release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => release();
    }
}
