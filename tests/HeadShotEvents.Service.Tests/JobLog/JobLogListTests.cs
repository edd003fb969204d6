using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using static HeadShotEvents.Service.Tests.JobLog.JobLogSeed;

namespace HeadShotEvents.Service.Tests.JobLog;

/// <summary>GET /headshots: the job log's filters and its keyset paging, on PostgreSQL and SQLite.</summary>
public sealed class JobLogListTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_state_filter_takes_repeated_and_comma_separated_states_in_any_case(bool sqlite)
    {
        await using var service = await ApiOnlyAsync(sqlite);
        var completed = Job(Noon);
        var failed = Job(Noon.AddMinutes(1), JobState.Failed);
        var processing = Job(Noon.AddMinutes(2), JobState.Processing);
        var accepted = Job(Noon.AddMinutes(3), JobState.Accepted);
        await AddAsync(service, completed, failed, processing, accepted);

        Assert.Equal([failed.RequestId, completed.RequestId], await IdsAsync(service, "headshots?state=completed,FAILED"));
        Assert.Equal([processing.RequestId, completed.RequestId], await IdsAsync(service, "headshots?state=Completed&state=processing"));
        Assert.Equal([accepted.RequestId, processing.RequestId, failed.RequestId, completed.RequestId], await IdsAsync(service, "headshots"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Since_is_inclusive_and_until_exclusive_on_the_creation_time(bool sqlite)
    {
        await using var service = await ApiOnlyAsync(sqlite);
        var jobs = Enumerable.Range(0, 5).Select(i => Job(Noon.AddMinutes(i))).ToArray();
        await AddAsync(service, jobs);

        // 12:01 and 12:02 in UTC, written once with Z and once with an offset (whose '+' the query string turns into a space).
        var ids = await IdsAsync(service, "headshots?since=2026-11-20T12:01:00Z&until=2026-11-20T13:03:00+01:00");
        var encoded = await IdsAsync(service, "headshots?since=2026-11-20T13:01:00%2B01:00&until=2026-11-20T12:03:00.000Z");

        Assert.Equal([jobs[2].RequestId, jobs[1].RequestId], ids);
        Assert.Equal(ids, encoded);
        Assert.Equal([jobs[4].RequestId, jobs[3].RequestId], await IdsAsync(service, "headshots?since=2026-11-20T12:03:00Z"));
        Assert.Equal([jobs[0].RequestId], await IdsAsync(service, "headshots?until=2026-11-20T12:00:59.999Z"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Metadata_filters_match_exactly_and_together(bool sqlite)
    {
        await using var service = await ApiOnlyAsync(sqlite);
        var both = Job(Noon, metadata: new() { ["customer"] = "c-42", ["order"] = "A \"17\" é" });
        var customerOnly = Job(Noon.AddMinutes(1), metadata: new() { ["customer"] = "c-42", ["order"] = "B-2" });
        var prefix = Job(Noon.AddMinutes(2), metadata: new() { ["customer"] = "c-421" });
        var none = Job(Noon.AddMinutes(3));
        await AddAsync(service, both, customerOnly, prefix, none);

        Assert.Equal([customerOnly.RequestId, both.RequestId], await IdsAsync(service, "headshots?metadata.customer=c-42"));
        Assert.Equal([both.RequestId], await IdsAsync(service,
            $"headshots?metadata.customer=c-42&metadata.order={Uri.EscapeDataString("A \"17\" é")}"));
        Assert.Empty(await IdsAsync(service, "headshots?metadata.customer=c-4"));
        Assert.Empty(await IdsAsync(service, "headshots?metadata.nobody=c-42"));
        Assert.Equal([both.RequestId], await IdsAsync(service, "headshots?metadata.customer=c-42&state=Completed&until=2026-11-20T12:00:30Z"));

        // Each item carries its metadata, so a list shows what it was filtered on.
        var item = (await GetAsync(service, "headshots?metadata.order=B-2"))["items"]!.AsArray().Single()!;
        Assert.Equal("c-42", (string?)item["metadata"]?["customer"]);
        Assert.Equal("B-2", (string?)item["metadata"]?["order"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Paging_visits_every_job_once_in_order_while_new_jobs_arrive(bool sqlite)
    {
        await using var service = await ApiOnlyAsync(sqlite);
        // Ties on CreatedAt (three jobs a minute) are broken by TrackId: a keyset on the time alone would skip or repeat them.
        var existing = Enumerable.Range(0, 24).Select(i => Job(Noon.AddMinutes(i / 3))).ToArray();
        await AddAsync(service, existing);

        var seen = new List<JsonObject>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await GetAsync(service, "headshots?limit=5" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
            seen.AddRange(page["items"]!.AsArray().Select(i => i!.AsObject()));
            cursor = (string?)page["nextCursor"];
            pages++;
            // Between page reads: newer jobs, and one at the very time of the jobs already read.
            await AddAsync(service, Job(DateTime.UtcNow), Job(Noon.AddMinutes(9)));
        }
        while (cursor is not null && pages < 20);

        Assert.Equal(5, pages);
        var ids = seen.Select(i => Guid.Parse((string)i["requestId"]!)).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(existing.Select(j => j.RequestId).Order(), ids.Where(existing.Select(j => j.RequestId).Contains).Order());
        var order = seen.Select(i => ((DateTimeOffset)i["createdAt"]!, (long)i["trackId"]!)).ToList();
        Assert.Equal(order.OrderByDescending(o => o.Item1).ThenByDescending(o => o.Item2), order);
        Assert.Equal(24, ids.Count(existing.Select(j => j.RequestId).Contains));
    }

    [Theory]
    [InlineData("state=Finished", "state")]
    [InlineData("state=3", "state")]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=2026-11-20T12:00:00", "since")]
    [InlineData("until=2026-11-20", "until")]
    [InlineData("since=2026-11-20T12:00:00Z&until=2026-11-20T11:00:00Z", "until")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("cursor=AgAAAAAAAAAAAAAAAAAAAAA", "cursor")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=5&limit=6", "limit")]
    [InlineData("metadata.=x", "metadata.")]
    [InlineData("metadata.customer=a&metadata.customer=b", "metadata.customer")]
    public async Task A_bad_parameter_is_a_problem_naming_it(string query, string parameter)
    {
        await using var service = await ApiOnlyAsync(sqlite: true);

        using var response = await service.HttpClient.GetAsync("headshots?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal([parameter], problem!["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task A_page_holds_the_same_status_as_the_single_job_route()
    {
        await using var service = await ApiOnlyAsync(sqlite: false);
        var job = Job(Noon, JobState.Failed, new() { ["customer"] = "c-1" });
        job.FailureReason = Contracts.HeadShotFailureReason.TimedOut;
        job.FailureMessage = "Nothing came.";
        await AddAsync(service, job);

        var page = await GetAsync(service, "headshots");
        var single = await GetAsync(service, $"headshots/{job.RequestId}");

        Assert.Equal(single.ToJsonString(), Assert.Single(page["items"]!.AsArray())!.ToJsonString());
        Assert.Null(page["nextCursor"]);
    }

    private static async Task<JsonObject> GetAsync(ServiceApplication service, string path)
    {
        using var response = await service.HttpClient.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private static async Task<List<Guid>> IdsAsync(ServiceApplication service, string path) =>
        [.. (await GetAsync(service, path))["items"]!.AsArray().Select(i => Guid.Parse((string)i!["requestId"]!))];
}
