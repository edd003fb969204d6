using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests.JobLog;

/// <summary>Reads a job's timeline as the API answers it, and its rows as stored.</summary>
internal static class Timelines
{
    public static async Task<JsonObject> GetAsync(ServiceApplication service, Guid requestId)
    {
        using var response = await service.HttpClient.GetAsync($"headshots/{requestId}/timeline");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"timeline: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Waits until the timeline satisfies <paramref name="done"/> (stored entries are written a few ms after the fact).</summary>
    public static Task<JsonObject> UntilAsync(ServiceApplication service, Guid requestId, Func<JsonObject, bool> done, string what) =>
        Eventually.UntilAsync(() => GetAsync(service, requestId), done, Pipeline.Patience, what);

    public static IReadOnlyList<JsonObject> Entries(JsonObject timeline) => [.. timeline["entries"]!.AsArray().Select(e => e!.AsObject())];

    public static IReadOnlyList<string> Kinds(JsonObject timeline) => [.. Entries(timeline).Select(e => (string)e["kind"]!)];

    public static bool Has(JsonObject timeline, string kind, string? outcome = null) =>
        Entries(timeline).Any(e => (string?)e["kind"] == kind && (outcome is null || (string?)e["outcome"] == outcome));

    /// <summary>Every stored row of every job, every column, as text: what a leak would be found in.</summary>
    public static async Task<string> StoredTextAsync(ServiceApplication service)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var rows = await db.TimelineEntries.AsNoTracking().ToListAsync();
        return string.Join("\n", rows.Select(r => $"{r.TrackId}|{r.Slot}|{r.At:O}|{r.Kind}|{r.Outcome}|{r.Detail}|{r.MessageId}|{r.Queue}"));
    }

    public static async Task<int> StoredCountAsync(ServiceApplication service, long trackId)
    {
        await using var scope = service.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobsDbContext>().TimelineEntries.CountAsync(e => e.TrackId == trackId);
    }
}
