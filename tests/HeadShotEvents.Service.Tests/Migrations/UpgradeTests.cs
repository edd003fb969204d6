using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs.Schema;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Service.Tests.Migrations;

/// <summary>A deployment of the previous release (schema made by EnsureCreated, no history) upgraded in place.</summary>
public sealed class UpgradeTests
{
    public const string Baseline = "20261125134001_Baseline";

    /// <summary>Every migration this build carries, oldest first (the same on both providers, see MigrationSetTests).</summary>
    public static IReadOnlyList<string> Known => MigrationSetTests.PostgresMigrations();

    [Theory]
    [InlineData("Postgres")]
    [InlineData("Sqlite")]
    public async Task A_store_of_the_previous_release_is_adopted_and_its_unsettled_jobs_complete(string provider)
    {
        await using var simulator = await LoopbackSimulator.StartAsync(new Dictionary<string, string?> { ["Simulator:GenerationTime"] = "00:00:00.200" });
        await using var database = await JobStoreDatabase.OfPreviousReleaseAsync(provider);
        // Two jobs ModelsLab has accepted, whose webhooks the old release never got: only a poll settles them now.
        Guid[] requests = [Guid.NewGuid(), Guid.NewGuid()];
        foreach (var request in requests)
        {
            await PreviousRelease.InsertProcessingJobAsync(database, simulator, request);
        }

        await using var pipeline = await Pipeline.StartAsync(new ServiceApplication.Options
        {
            UseSqlite = database.IsSqlite,
            Settings = new Dictionary<string, string?>(ReconcilerTests.FastReconciler.Concat(database.Settings))
            {
                ["ModelsLab:BaseUrl"] = simulator.ApiBaseAddress.AbsoluteUri,
                ["ModelsLab:ApiKey"] = simulator.ApiKey,
            },
        });
        await pipeline.WaitForTerminalAsync(requests);

        Assert.Equal(Known, await database.HistoryAsync());
        foreach (var request in requests)
        {
            var completed = Assert.Single(pipeline.Archiver.Received.All<HeadShotCompleted>(), e => e.RequestId == request);
            Assert.Equal(HeadShotDelivery.Poll, completed.Delivery);
            Assert.Single(completed.Outputs);
            Assert.Equal("c-42", completed.Metadata?["customer"]);
        }

        Assert.Empty(pipeline.Archiver.Received.All<HeadShotFailed>());
        Assert.Equal(2, await pipeline.Service.JobCountAsync());
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("Sqlite")]
    public async Task With_Migrate_Never_the_previous_release_schema_refuses_to_start_until_migrate_has_run(string provider)
    {
        await using var database = await JobStoreDatabase.OfPreviousReleaseAsync(provider);
        var never = new Dictionary<string, string?>(database.Settings) { ["Jobs:Migrate"] = "Never" };

        var refused = await Assert.ThrowsAsync<JobStoreSchemaException>(() => ServiceApplication.StartAsync(new() { UseSqlite = database.IsSqlite, Settings = never }));
        Assert.Contains("Jobs:Migrate is Never", refused.Message);
        Assert.Contains("migrate", refused.Message);
        Assert.False(await database.HasTableAsync("__EFMigrationsHistory"), "a refused start changes nothing");

        Assert.Equal(0, await MigrateCommand.RunAsync(database.CommandLine));
        Assert.Equal(Known, await database.HistoryAsync());
        await using var service = await ServiceApplication.StartAsync(new() { UseSqlite = database.IsSqlite, Settings = never });
        Assert.Equal(0, await service.JobCountAsync());
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("Sqlite")]
    public async Task A_store_a_newer_release_migrated_refuses_to_start_and_says_so(string provider)
    {
        await using var database = await JobStoreDatabase.NewAsync(provider);
        Assert.Equal(0, await MigrateCommand.RunAsync(database.CommandLine));
        await database.ExecuteAsync("INSERT INTO \"__EFMigrationsHistory\" (\"MigrationId\", \"ProductVersion\") VALUES ('29990101000000_FromTheFuture', '10.0.15')");

        foreach (var migrate in new[] { "OnStart", "Never" })
        {
            var refused = await Assert.ThrowsAsync<JobStoreSchemaException>(() => ServiceApplication.StartAsync(new()
            {
                UseSqlite = database.IsSqlite,
                Settings = new Dictionary<string, string?>(database.Settings) { ["Jobs:Migrate"] = migrate },
            }));
            Assert.Contains("29990101000000_FromTheFuture", refused.Message);
            Assert.Contains("newer release", refused.Message);
        }

        Assert.Equal(1, await MigrateCommand.RunAsync(database.CommandLine));
        Assert.Equal([.. Known, "29990101000000_FromTheFuture"], await database.HistoryAsync());
    }
}

/// <summary>Rows as the previous release wrote them, in its own columns.</summary>
internal static class PreviousRelease
{
    public static async Task InsertProcessingJobAsync(JobStoreDatabase database, LoopbackSimulator simulator, Guid requestId)
    {
        var now = DateTime.UtcNow;
        // As EF Core writes them on each provider: SQLite keeps Guids and times as text.
        object Time(DateTime t) => database.IsSqlite ? t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", System.Globalization.CultureInfo.InvariantCulture) : t;
        var trackId = Convert.ToInt64(await database.ScalarAsync(
            "INSERT INTO head_shot_jobs (\"RequestId\", \"State\", \"CreatedAt\", \"UpdatedAt\", \"SubmittedAt\", \"NextPollAt\", \"PollAttempts\", " +
            "\"EtaSeconds\", \"Outputs\", \"Metadata\", \"TerminalEventPending\", \"Version\") " +
            $"VALUES (@r, 'Submitting', @now, @now, @now, @due, 0, 1, {(database.IsSqlite ? "'[]'" : "'{}'")}, '{{\"customer\":\"c-42\"}}', {(database.IsSqlite ? "0" : "false")}, 1) RETURNING \"TrackId\"",
            ("r", database.IsSqlite ? requestId.ToString().ToUpperInvariant() : requestId), ("now", Time(now)), ("due", Time(now.AddSeconds(-1)))));

        using var answer = await simulator.HttpClient.PostAsJsonAsync("api/v6/image_editing/head_shot", new JsonObject
        {
            ["key"] = simulator.ApiKey,
            ["prompt"] = "pretty woman",
            ["face_image"] = "https://faces.test/568d6320.jpg",
            ["width"] = 512,
            ["height"] = 512,
            ["samples"] = 1,
            ["num_inference_steps"] = 21,
            ["guidance_scale"] = 5,
            ["track_id"] = trackId,
        });
        var modelsLabId = (long)(await answer.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        await database.ExecuteAsync("UPDATE head_shot_jobs SET \"ModelsLabId\" = @id, \"State\" = 'Processing' WHERE \"TrackId\" = @t",
            ("id", modelsLabId.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("t", trackId));
    }
}
