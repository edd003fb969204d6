using System.Data.Common;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace HeadShotEvents.Service.Tests.Migrations;

/// <summary>
/// A job database a test owns, on PostgreSQL or SQLite, reached with plain ADO.NET so the test sees
/// the schema as it is, not as the service's model says. Not created until something creates it.
/// </summary>
public sealed class JobStoreDatabase : IAsyncDisposable
{
    public const string Previous = "104466d";

    private readonly string? _sqliteFile;
    private readonly string? _postgresServer;
    private readonly string _name;

    private JobStoreDatabase(string provider, string connectionString, string name, string? sqliteFile, string? postgresServer)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _name = name;
        _sqliteFile = sqliteFile;
        _postgresServer = postgresServer;
    }

    public string Provider { get; }
    public string ConnectionString { get; }
    public bool IsSqlite => _sqliteFile is not null;

    /// <summary>What points the service (or the migrate verb) at this database.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Jobs:Provider"] = Provider,
        ["ConnectionStrings:Jobs"] = ConnectionString,
    };

    public string[] CommandLine => Settings.Select(s => $"--{s.Key}={s.Value}").ToArray();

    /// <summary>A name for a database that does not exist yet.</summary>
    public static async Task<JobStoreDatabase> NewAsync(string provider)
    {
        var name = $"headshots_{Guid.NewGuid():N}";
        if (provider == "Sqlite")
        {
            var file = Path.Combine(Path.GetTempPath(), name + ".db");
            return new JobStoreDatabase(provider, $"Data Source={file}", name, file, null);
        }

        var server = await TestInfrastructure.PostgresServerAsync();
        var connection = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        return new JobStoreDatabase(provider, connection, name, null, server);
    }

    /// <summary>A database as the previous release (104466d) left it: EnsureCreated's tables, no migration history.</summary>
    public static async Task<JobStoreDatabase> OfPreviousReleaseAsync(string provider)
    {
        var database = await NewAsync(provider);
        if (!database.IsSqlite)
        {
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database._postgresServer) { Database = "postgres" }.ConnectionString);
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database._name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        await database.ExecuteAsync(await File.ReadAllTextAsync(Fixture($"release-{Previous}.{provider.ToLowerInvariant()}.sql")));
        return database;
    }

    public DbConnection Connect() => IsSqlite ? new SqliteConnection(ConnectionString) : new NpgsqlConnection(ConnectionString);

    public async Task ExecuteAsync(string sql, params (string Name, object? Value)[] parameters) =>
        await CommandAsync(sql, parameters, command => command.ExecuteNonQueryAsync());

    public async Task<object?> ScalarAsync(string sql, params (string Name, object? Value)[] parameters) =>
        await CommandAsync(sql, parameters, command => command.ExecuteScalarAsync());

    public async Task<bool> HasTableAsync(string table) => Convert.ToInt64(await ScalarAsync(IsSqlite
        ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @t"
        : "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @t", ("t", table))) == 1;

    /// <summary>The migration history, oldest first; empty when there is no history table.</summary>
    public async Task<IReadOnlyList<string>> HistoryAsync()
    {
        if (!await HasTableAsync("__EFMigrationsHistory"))
        {
            return [];
        }

        await using var connection = Connect();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\"";
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public async ValueTask DisposeAsync()
    {
        if (_sqliteFile is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var path in new[] { _sqliteFile, _sqliteFile + "-wal", _sqliteFile + "-shm", _sqliteFile + ".migrations-lock", _sqliteFile + ".keyring-lock" })
            {
                File.Delete(path);
            }

            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_postgresServer) { Database = "postgres" }.ConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private async Task<T> CommandAsync<T>(string sql, (string Name, object? Value)[] parameters, Func<DbCommand, Task<T>> run)
    {
        await using var connection = Connect();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return await run(command);
    }

    /// <summary>The fixtures are read where they are kept in the repository, beside this file.</summary>
    private static string Fixture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "tests", "HeadShotEvents.Service.Tests", "Migrations", "Fixtures", name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException($"Fixture {name} not found above {AppContext.BaseDirectory}.");
    }
}
