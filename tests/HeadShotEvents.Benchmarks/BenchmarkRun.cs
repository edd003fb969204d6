using System.Text.Json;
using HeadShotEvents.Benchmarks.Infrastructure;
using HeadShotEvents.Benchmarks.Reporting;
using HeadShotEvents.Benchmarks.Sections;
using Npgsql;

namespace HeadShotEvents.Benchmarks;

/// <summary>One run: every section in turn (they never overlap, so none measures another's load), then the report.</summary>
public static class BenchmarkRun
{
    /// <summary>Size of the broker's messages when the ingest section, which measures a real envelope, is not run.</summary>
    public const int DefaultEnvelopeBytes = 700;

    public static async Task<BenchmarkReport> RunAsync(BenchmarkSettings settings, Action<string> log)
    {
        var (postgresVersion, postgresSettings) = await PostgresAsync(settings.PostgresServer);
        var machine = MachineInfo.Now() with
        {
            RabbitMqVersion = await RabbitMqVersionAsync(settings.RabbitMqUrl),
            PostgresVersion = postgresVersion,
            PostgresSettings = postgresSettings,
        };

        // Ingest first: it measures the size of a real HeadShotCompleted envelope, which the broker's ceiling then uses.
        var ingest = settings.Runs("ingest") ? await CallbackIngest.RunAsync(settings, log) : null;
        var broker = settings.Runs("broker") ? await BrokerCeiling.RunAsync(settings, ingest?.EnvelopeBytes is > 0 and var bytes ? bytes : DefaultEnvelopeBytes, log) : null;
        var endToEnd = settings.Runs("e2e") ? await EndToEnd.RunAsync(settings, log) : null;
        var scale = settings.Runs("scale") ? await JobTableScale.RunAsync(settings, log) : null;
        var claim = settings.Runs("claim") ? await ReconcilerClaim.RunAsync(settings, log) : null;
        var report = new BenchmarkReport(machine with { LoadAverageAtEnd = MachineInfo.LoadAverage() }, settings.Small, broker, ingest, endToEnd, scale, claim);

        if (settings.OutputDirectory is { } directory)
        {
            Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, "benchmarks.json"), JsonSerializer.Serialize(report, Json));
            await File.WriteAllTextAsync(Path.Combine(directory, "benchmarks.md"), MarkdownReport.Render(report));
        }

        return report;
    }

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static async Task<string?> RabbitMqVersionAsync(string url)
    {
        await using var broker = await Broker.ConnectAsync(url);
        return broker.Connection.ServerProperties?.TryGetValue("version", out var version) == true && version is byte[] text
            ? System.Text.Encoding.UTF8.GetString(text)
            : null;
    }

    /// <summary>The server's version, and the settings the figures depend on.</summary>
    private static async Task<(string Version, string? Settings)> PostgresAsync(string server)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT string_agg(name || ' ' || CASE WHEN unit = '8kB' THEN pg_size_pretty(setting::bigint * 8192) ELSE setting END, ', ' ORDER BY name)
            FROM pg_settings WHERE name IN ('shared_buffers', 'fsync', 'synchronous_commit')
            """, connection);
        return (connection.PostgreSqlVersion.ToString(), await command.ExecuteScalarAsync() as string);
    }
}
