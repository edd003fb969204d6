using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Outbox;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// Deletes of published events' owed rows gather for <c>Outbox:DeleteGathering</c> to share a
/// statement, while the publishes go on; a stop deletes what is gathering at once.
/// </summary>
public sealed partial class OutboxHandOffTests
{
    [Fact]
    public async Task Published_events_wait_to_be_deleted_together_and_a_stop_deletes_them_without_waiting_out_the_window()
    {
        // Ten seconds to gather; a batch of deletes takes up to Outbox:BatchSize (200), so ten never fill one.
        var settings = new Dictionary<string, string?>(NoTimedSweeps) { ["Outbox:DeleteGathering"] = "00:00:10" };
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Receiver", Settings = settings });
        var published = new PublishedEvents();
        service.Bus.ConnectPublishObserver(published);
        var dispatcher = Dispatcher(service);
        await DispatcherTakesHandOffsAsync(service);
        var jobs = await SeedAsync(service, 10, JobState.Processing);
        var hotPath = service.Services.GetRequiredService<HotPathStore>();

        // Every window opens at a confirm, after this: none can end before ten seconds on it.
        var settling = Stopwatch.StartNew();
        var now = DateTime.UtcNow;
        Assert.All(await Task.WhenAll(jobs.Select(id => hotPath.SettleAsync(id, Completed(now), null, CancellationToken.None))), Assert.True);
        await Eventually.UntilAsync(() => Task.FromResult(published.Terminal), count => count == jobs.Count, TimeSpan.FromSeconds(8),
            "all ten events published, before the first delete's window ended");

        // Published, and every one still owed: the deletes are gathering.
        var owed = await OwedEventsTable.ReadAsync(service.Services);
        Assert.InRange(jobs.Count(owed.ContainsKey), jobs.Count, jobs.Count);

        var stopping = Stopwatch.StartNew();
        await dispatcher.StopAsync(CancellationToken.None);
        // Not the rest of the ten seconds: 8 s leaves a loaded machine room (5 s did not), and a stop
        // that waited a window out would also end ten seconds or more after the settles began.
        Assert.InRange(stopping.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(8));
        Assert.True(settling.Elapsed < TimeSpan.FromSeconds(10), $"the stop ended {settling.Elapsed} after the settles began");

        Assert.InRange(jobs.Count((await OwedEventsTable.ReadAsync(service.Services)).ContainsKey), 0, 0);
        Assert.Equal((jobs.Count, 0L), dispatcher.Published);
    }

    [Fact]
    public void A_delete_gathering_window_of_half_the_claim_lease_or_more_is_refused()
    {
        Assert.True(IsValid(new OutboxOptions()));
        Assert.True(IsValid(new OutboxOptions { ClaimLease = TimeSpan.FromSeconds(2), DeleteGathering = TimeSpan.FromMilliseconds(999) }));
        Assert.False(IsValid(new OutboxOptions { ClaimLease = TimeSpan.FromSeconds(2), DeleteGathering = TimeSpan.FromSeconds(1) }));

        static bool IsValid(OutboxOptions options) =>
            Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true);
    }
}
