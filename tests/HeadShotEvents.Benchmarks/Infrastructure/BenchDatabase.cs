using Npgsql;
using NpgsqlTypes;

namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>A database of the benchmark's own on the shared server, dropped at the end.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _server;

    private BenchDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string server)
    {
        var database = new BenchDatabase(server, $"headshots_bench_{Guid.NewGuid():N}");
        await database.AdminAsync($"CREATE DATABASE \"{database.Name}\"");
        return database;
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Jobs in <c>Processing</c> as the submitter leaves them, written with COPY into the table the
    /// service created. Columns the benchmark does not know (added later) that are NOT NULL without a
    /// default get their type's zero value, so the table can grow without breaking this.
    /// </summary>
    public async Task InsertProcessingJobsAsync(IEnumerable<SeededJob> jobs)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var extra = await UnknownRequiredColumnsAsync(connection);
        var columns = string.Join(',', KnownColumns.Concat(extra.Select(c => c.Name)).Select(c => $"\"{c}\""));
        var now = DateTime.UtcNow;
        await using (var copy = await connection.BeginBinaryImportAsync($"COPY head_shot_jobs ({columns}) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var job in jobs)
            {
                await copy.StartRowAsync();
                await copy.WriteAsync(job.TrackId, NpgsqlDbType.Bigint);
                await copy.WriteAsync(job.RequestId, NpgsqlDbType.Uuid);
                await copy.WriteAsync(job.ModelsLabId, NpgsqlDbType.Text);
                await copy.WriteAsync("Processing", NpgsqlDbType.Text);
                await copy.WriteAsync(job.TraceParent, NpgsqlDbType.Text);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
                // Not due for a day: nothing but the callback settles these jobs during the run.
                await copy.WriteAsync(now.AddDays(1), NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(0, NpgsqlDbType.Integer);
                await copy.WriteAsync(2.0, NpgsqlDbType.Double);
                await copy.WriteAsync(Array.Empty<string>(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                await copy.WriteAsync(false, NpgsqlDbType.Boolean);
                await copy.WriteAsync(0, NpgsqlDbType.Integer);
                foreach (var column in extra)
                {
                    await column.WriteZeroAsync(copy, now);
                }
            }

            await copy.CompleteAsync();
        }

        await using var analyze = new NpgsqlCommand(
            "SELECT setval(pg_get_serial_sequence('head_shot_jobs', 'TrackId'), (SELECT max(\"TrackId\") FROM head_shot_jobs)); ANALYZE head_shot_jobs;",
            connection) { CommandTimeout = 600 };
        await analyze.ExecuteNonQueryAsync();
    }

    private static readonly string[] KnownColumns =
    [
        "TrackId", "RequestId", "ModelsLabId", "State", "TraceParent", "CreatedAt", "UpdatedAt", "SubmittedAt",
        "NextPollAt", "PollAttempts", "EtaSeconds", "Outputs", "TerminalEventPending", "Version",
    ];

    private static async Task<List<RequiredColumn>> UnknownRequiredColumnsAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("""
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_name = 'head_shot_jobs' AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'
            """, connection);
        var columns = new List<RequiredColumn>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var name = reader.GetString(0);
            if (!KnownColumns.Contains(name))
            {
                columns.Add(new RequiredColumn(name, reader.GetString(1)));
            }
        }

        return columns;
    }

    private sealed record RequiredColumn(string Name, string DataType)
    {
        public Task WriteZeroAsync(NpgsqlBinaryImporter copy, DateTime now) => DataType switch
        {
            "boolean" => copy.WriteAsync(false, NpgsqlDbType.Boolean),
            "smallint" => copy.WriteAsync((short)0, NpgsqlDbType.Smallint),
            "integer" => copy.WriteAsync(0, NpgsqlDbType.Integer),
            "bigint" => copy.WriteAsync(0L, NpgsqlDbType.Bigint),
            "double precision" => copy.WriteAsync(0.0, NpgsqlDbType.Double),
            "real" => copy.WriteAsync(0f, NpgsqlDbType.Real),
            "numeric" => copy.WriteAsync(0m, NpgsqlDbType.Numeric),
            "text" or "character varying" => copy.WriteAsync("", NpgsqlDbType.Text),
            "timestamp with time zone" => copy.WriteAsync(now, NpgsqlDbType.TimestampTz),
            "uuid" => copy.WriteAsync(Guid.NewGuid(), NpgsqlDbType.Uuid),
            "ARRAY" => copy.WriteAsync(Array.Empty<string>(), NpgsqlDbType.Array | NpgsqlDbType.Text),
            _ => throw new NotSupportedException($"head_shot_jobs.{Name} ({DataType}) is NOT NULL without a default: teach the benchmark its zero value."),
        };
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private async Task AdminAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Database = "postgres" }.ConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>One job row as the submitter would have left it after ModelsLab answered <c>processing</c>.</summary>
public sealed record SeededJob(long TrackId, Guid RequestId, string ModelsLabId, string TraceParent)
{
    /// <summary>Derived from the track id (and the run), so a million rows need not be kept in memory to be called back later.</summary>
    public static SeededJob For(long trackId, Guid run)
    {
        Span<byte> bytes = stackalloc byte[16];
        run.TryWriteBytes(bytes);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], trackId);
        var requestId = new Guid(bytes);
        var hex = requestId.ToString("N");
        return new SeededJob(trackId, requestId, (90_000_000 + trackId).ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"00-{hex}-{hex[16..]}-01");
    }
}
