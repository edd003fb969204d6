using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Service.Jobs.Schema;
using HeadShotEvents.Service.Tests.Infrastructure;

namespace HeadShotEvents.Service.Tests.Migrations;

/// <summary>
/// Migration MetadataSideTable on PostgreSQL: jobs stored before it are found by the metadata filter
/// after it (the backfill), jobs created after it too (the trigger), and the GIN index on the job
/// row, which every update of the row paid for, is gone.
/// </summary>
public sealed class MetadataSideTableTests
{
    [Fact]
    public async Task Metadata_of_jobs_from_before_and_after_the_migration_is_found_and_the_row_index_is_gone()
    {
        await using var database = await JobStoreDatabase.OfPreviousReleaseAsync("Postgres");
        var before = Guid.NewGuid();
        var now = DateTime.UtcNow;
        await database.ExecuteAsync(
            "INSERT INTO head_shot_jobs (\"RequestId\", \"State\", \"CreatedAt\", \"UpdatedAt\", \"PollAttempts\", \"Outputs\", \"Metadata\", \"TerminalEventPending\", \"Version\") " +
            "VALUES (@r, 'Accepted', @now, @now, 0, '{}', '{\"order\":\"o-1\",\"customer\":\"c-9\"}', false, 0)",
            ("r", before), ("now", now));

        Assert.Equal(0, await MigrateCommand.RunAsync(database.CommandLine));
        Assert.Equal(0L, Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM pg_indexes WHERE indexname = 'IX_head_shot_jobs_Metadata'")));
        Assert.Equal(2L, Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM head_shot_job_metadata")));

        await using var service = await ServiceApplication.StartAsync(new()
        {
            Roles = "Api",
            Settings = new Dictionary<string, string?>(database.Settings) { ["Jobs:Migrate"] = "Never" },
        });
        var after = Pipeline.Request() with { Metadata = new Dictionary<string, string> { ["order"] = "o-2", ["customer"] = "c-9" } };
        using (var posted = await service.HttpClient.PostAsJsonAsync("headshots", after))
        {
            Assert.True(posted.IsSuccessStatusCode, $"POST /headshots answered {(int)posted.StatusCode}");
        }

        Assert.Equal([before], await IdsAsync(service, "headshots?metadata.order=o-1"));
        Assert.Equal([after.RequestId], await IdsAsync(service, "headshots?metadata.order=o-2"));
        Assert.Equal([after.RequestId, before], await IdsAsync(service, "headshots?metadata.customer=c-9"));
        Assert.Empty(await IdsAsync(service, "headshots?metadata.customer=c-9&metadata.order=o-3"));
        // Updates of the job row never touch the side table: still one row per pair.
        await database.ExecuteAsync("UPDATE head_shot_jobs SET \"State\" = 'Submitting', \"Version\" = \"Version\" + 1");
        Assert.Equal(4L, Convert.ToInt64(await database.ScalarAsync("SELECT count(*) FROM head_shot_job_metadata")));
    }

    private static async Task<List<Guid>> IdsAsync(ServiceApplication service, string path)
    {
        var page = await service.HttpClient.GetFromJsonAsync<JsonObject>(path);
        return [.. page!["items"]!.AsArray().Select(i => Guid.Parse((string)i!["requestId"]!))];
    }
}
