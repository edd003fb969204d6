using System.Data.Common;
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
    /// released explicitly. A setting the connection string names itself is left as given.
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

    /// <summary>Whether the string names the setting, spelt with or without its spaces (Npgsql takes both).</summary>
    private static bool Names(DbConnectionStringBuilder given, string keyword) =>
        given.Keys.Cast<string>().Any(key => string.Equals(key.Replace(" ", "", StringComparison.Ordinal), keyword.Replace(" ", "", StringComparison.Ordinal),
            StringComparison.OrdinalIgnoreCase));
}
