using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HeadShotEvents.Service.Jobs;

/// <summary>
/// What the job store's PostgreSQL connections get unless the connection string says otherwise.
/// Measured (docs/benchmarks.md, end to end at 500/s): PostgreSQL's CPU per request fell from
/// 3.3-4.2 ms to 1.7-2.0 ms with both.
/// </summary>
public static class PostgresConnections
{
    /// <summary>
    /// Statements Npgsql prepares on each physical connection once they have run a few times: the
    /// store's statements are a few dozen fixed texts run thousands of times, and without this
    /// PostgreSQL parses and plans every one of them every time.
    /// </summary>
    public const int AutoPreparedStatements = 64;

    /// <summary>
    /// The connection string with <see cref="AutoPreparedStatements"/> and <c>No Reset On Close</c>.
    /// The reset Npgsql otherwise sends when a pooled connection is handed back (RESET ALL, UNLISTEN,
    /// pg_advisory_unlock_all and four more) ran seven times per request, and undoes nothing here:
    /// the store sets no session state, and its two advisory locks (migration, first key) are
    /// released explicitly, or their connection dropped when that fails (<see cref="UnlockAsync"/>).
    /// A setting the connection string names itself is left as given.
    /// </summary>
    public static string Tuned(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        var tuned = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Names(given, "Max Auto Prepare"))
        {
            tuned.MaxAutoPrepare = AutoPreparedStatements;
        }

        if (!Names(given, "No Reset On Close"))
        {
            tuned.NoResetOnClose = true;
        }

        return tuned.ConnectionString;
    }

    /// <summary>
    /// For a session-level advisory lock on the context's connection, whose taking or unlocking
    /// failed (or was cancelled after the server may have granted it): the connection is not handed
    /// back to the pool but dropped, which ends its session and so the lock. Without Npgsql's reset
    /// (<c>No Reset On Close</c>) a pooled connection would keep the lock for whoever got it next.
    /// Clears the store's pool: a rare path, and the cost is reconnecting.
    /// </summary>
    public static async Task DropLockedConnectionAsync(DbContext db)
    {
        if (db.Database.GetDbConnection() is NpgsqlConnection connection)
        {
            NpgsqlConnection.ClearPool(connection);
        }

        await db.Database.CloseConnectionAsync();
    }

    /// <summary>Runs <paramref name="unlock"/>, then hands the connection back; if the unlock fails, drops it (see <see cref="DropLockedConnectionAsync"/>).</summary>
    public static async Task UnlockAsync(DbContext db, Func<Task> unlock)
    {
        try
        {
            await unlock();
        }
        catch
        {
            await DropLockedConnectionAsync(db);
            throw;
        }

        await db.Database.CloseConnectionAsync();
    }

    /// <summary>Whether the string names the setting, spelt with or without its spaces (Npgsql takes both).</summary>
    private static bool Names(DbConnectionStringBuilder given, string keyword) =>
        given.Keys.Cast<string>().Any(key => string.Equals(key.Replace(" ", "", StringComparison.Ordinal), keyword.Replace(" ", "", StringComparison.Ordinal),
            StringComparison.OrdinalIgnoreCase));
}
