using System.Text.Json;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The webhook's batched read keeps probing the primary key when PostgreSQL reuses a generic plan
/// it made while the job table was new. Npgsql prepares the statement on each connection, and
/// PostgreSQL keeps a connection's generic plan until the table is next analyzed; the read as
/// <c>"TrackId" = ANY($1)</c> got a sequential scan that way, and then scanned every job on every
/// read (docs/benchmarks.md, session 10). Checked failing with that statement.
/// </summary>
public sealed class HotPathReadPlanTests
{
    private const int LaterJobs = 5_000;

    [Fact]
    public async Task A_generic_plan_made_while_the_table_was_new_still_reads_by_the_primary_key_once_it_has_grown()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api" });
        var seeded = await GroupCommitTests.SeedProcessingAsync(service, 3);
        string connectionString;
        await using (var scope = service.Services.CreateAsyncScope())
        {
            connectionString = scope.ServiceProvider.GetRequiredService<JobsDbContext>().Database.GetConnectionString()!;
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, $"PREPARE hot_read(bigint[]) AS {PostgresJobReads.Select}");
        // The first five runs are planned for their values; from the sixth PostgreSQL may keep one
        // generic plan, made now, with three jobs in a table never analyzed.
        for (var run = 0; run < 10; run++)
        {
            Assert.Equal(seeded.Order(), await ReadAsync(connection, seeded));
        }

        await ExecuteAsync(connection, $$"""
            INSERT INTO head_shot_jobs ("RequestId", "State", "CreatedAt", "UpdatedAt", "PollAttempts", "Outputs", "TerminalEventPending", "Version")
            SELECT gen_random_uuid(), 'Processing', now(), now(), 0, '{}', FALSE, 0 FROM generate_series(1, {{LaterJobs}})
            """);
        var asked = new List<long>(seeded) { seeded[0] + 1_000, seeded[0] + 4_000, long.MaxValue };

        var plan = await PlanAsync(connection, asked);
        var scans = Nodes(plan).Where(n => n.TryGetProperty("Relation Name", out var relation) && relation.GetString() == "head_shot_jobs").ToList();
        Assert.NotEmpty(scans);
        Assert.All(scans, scan => Assert.Equal("Index Scan", scan.GetProperty("Node Type").GetString()));
        Assert.All(scans, scan => Assert.Equal("PK_head_shot_jobs", scan.GetProperty("Index Name").GetString()));
        // Each id asked was looked up (one loop each), and no job beyond those was read.
        Assert.All(scans, scan => Assert.Equal(asked.Count, scan.GetProperty("Actual Loops").GetInt32()));
        Assert.Equal(asked.Where(id => id != long.MaxValue).Order(), await ReadAsync(connection, asked));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string Literal(IEnumerable<long> ids) => $"'{{{string.Join(",", ids)}}}'";

    /// <summary>The TrackIds the prepared read returns for <paramref name="ids"/>, in order.</summary>
    private static async Task<List<long>> ReadAsync(NpgsqlConnection connection, IEnumerable<long> ids)
    {
        await using var command = new NpgsqlCommand($"EXECUTE hot_read({Literal(ids)})", connection);
        var found = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add(reader.GetInt64(0));
        }

        return [.. found.Order()];
    }

    private static async Task<JsonElement> PlanAsync(NpgsqlConnection connection, IEnumerable<long> ids)
    {
        await using var command = new NpgsqlCommand($"EXPLAIN (ANALYZE, FORMAT JSON, COSTS OFF, TIMING OFF) EXECUTE hot_read({Literal(ids)})", connection);
        var json = (string)(await command.ExecuteScalarAsync())!;
        return JsonDocument.Parse(json).RootElement[0].GetProperty("Plan");
    }

    private static IEnumerable<JsonElement> Nodes(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray().SelectMany(Nodes))
            {
                yield return child;
            }
        }
    }
}
