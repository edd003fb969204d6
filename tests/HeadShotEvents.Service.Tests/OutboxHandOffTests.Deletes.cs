using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// Deletes of published events' owed rows gather for <c>Outbox:DeleteGathering</c> to share a
/// statement; a stop still deletes what is gathering.
/// </summary>
public sealed partial class OutboxHandOffTests
{
    [Fact]
    public async Task Published_events_wait_to_be_deleted_together_and_a_stop_still_deletes_them()
    {
        var settings = new Dictionary<string, string?>(NoTimedSweeps) { ["Outbox:DeleteGathering"] = "00:00:01" };
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Receiver", Settings = settings });
        var published = new PublishedEvents();
        service.Bus.ConnectPublishObserver(published);
        var dispatcher = Dispatcher(service);
        await DispatcherTakesHandOffsAsync(service);
        var jobs = await SeedAsync(service, 10, JobState.Processing);
        var hotPath = service.Services.GetRequiredService<HotPathStore>();

        var now = DateTime.UtcNow;
        Assert.All(await Task.WhenAll(jobs.Select(id => hotPath.SettleAsync(id, Completed(now), null, CancellationToken.None))), Assert.True);
        await Eventually.UntilAsync(() => Task.FromResult(published.Terminal), count => count == jobs.Count, TimeSpan.FromSeconds(20),
            "all ten events published");

        // Published, and still owed: their delete is gathering others (ten of the 200 a batch takes).
        var owed = await OwedEventsTable.ReadAsync(service.Services);
        Assert.InRange(jobs.Count(owed.ContainsKey), 1, jobs.Count);

        await dispatcher.StopAsync(CancellationToken.None);

        Assert.InRange(jobs.Count((await OwedEventsTable.ReadAsync(service.Services)).ContainsKey), 0, 0);
        Assert.Equal((jobs.Count, 0L), dispatcher.Published);
    }
}
