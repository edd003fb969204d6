using System.Globalization;
using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outcomes;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Simulator.Admin;
using HeadShotEvents.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests;

/// <summary>What a chaos run did, from the job store, the simulator's own counts and each subscriber.</summary>
internal sealed class ChaosFigures
{
    private ChaosFigures(IReadOnlyList<HeadShotJob> jobs, IReadOnlySet<long> owed, SimulatorStatistics stats, IReadOnlyList<SubscriberView> subscribers)
    {
        Jobs = jobs;
        Owed = owed;
        Stats = stats;
        Subscribers = subscribers;
        NeverSent = jobs.Where(j => !stats.HeadShotCallsByTrackId.ContainsKey(j.TrackId.ToString(CultureInfo.InvariantCulture))).ToList();
    }

    public IReadOnlyList<HeadShotJob> Jobs { get; }

    /// <summary>The jobs whose terminal event is still owed (rows of the outbox's table), among all the store holds.</summary>
    public IReadOnlySet<long> Owed { get; }
    public SimulatorStatistics Stats { get; }
    public IReadOnlyList<SubscriberView> Subscribers { get; }

    /// <summary>Jobs ModelsLab never saw: a fault cut their submit between the row and the call.</summary>
    public IReadOnlyList<HeadShotJob> NeverSent { get; }

    public int Sent => Jobs.Count - NeverSent.Count;

    public sealed record SubscriberView(string Name, IReadOnlyList<(Guid RequestId, Guid? MessageId, bool Completed)> Events);

    public static Task<ChaosFigures> CollectAsync(ServiceApplication api, IReadOnlyList<HeadShotRequested> requests, SubscriberService archiver, SubscriberService notifier) =>
        CollectAsync(api, requests, [("archiver", archiver.Received), ("notifier", notifier.Received)]);

    /// <summary>The figures, with each subscribing service's name and everything it received (all its replicas together).</summary>
    public static async Task<ChaosFigures> CollectAsync(ServiceApplication api, IReadOnlyList<HeadShotRequested> requests, IReadOnlyList<(string Name, ReceivedEvents Received)> subscribers)
    {
        var ids = requests.Select(r => r.RequestId).ToHashSet();
        // Idle pooled connections died with the PostgreSQL restart; Npgsql finds out only on their next use.
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var scope = api.Services.CreateAsyncScope();
        var jobs = (await scope.ServiceProvider.GetRequiredService<JobsDbContext>().Jobs.AsNoTracking().ToListAsync())
            .Where(j => ids.Contains(j.RequestId)).ToList();
        var owed = (await OwedEventsTable.ReadAsync(scope.ServiceProvider.GetRequiredService<JobsDbContext>())).Keys.ToHashSet();
        var stats = await api.Simulator.GetStatsAsync();
        return new ChaosFigures(jobs, owed, stats, subscribers.Select(s => View(s.Name, s.Received, ids)).ToList());
    }

    /// <summary>
    /// A killed instance's delivered events stay owed until their claim (Outbox:ClaimLease, 30 s)
    /// lapses and a sweep (Outbox:SweepInterval, 1 s) publishes them again: waited for, with margin,
    /// BEFORE the marker, so what those sweeps publish again is in the figures the marker closes. If
    /// something is still owed after it, <see cref="AssertExactlyOneOutcomeEach"/> names it.
    /// </summary>
    public static async Task WaitUntilNothingOwedAsync(ServiceApplication api, IReadOnlyList<HeadShotRequested> requests)
    {
        var ids = requests.Select(r => r.RequestId).ToHashSet();
        Npgsql.NpgsqlConnection.ClearAllPools();
        await using var scope = api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var trackIds = (await db.Jobs.AsNoTracking().Where(j => ids.Contains(j.RequestId)).Select(j => j.TrackId).ToListAsync()).ToHashSet();
        try
        {
            await Eventually.UntilAsync(async () => (await OwedEventsTable.ReadAsync(db)).Keys.ToHashSet(), owed => !owed.Overlaps(trackIds),
                OwedPatience, "no job's event to be owed");
        }
        catch (TimeoutException)
        {
            // Left for the figures to name.
        }
    }

    private static readonly TimeSpan OwedPatience = TimeSpan.FromSeconds(60);

    private static SubscriberView View(string name, ReceivedEvents received, HashSet<Guid> ids) => new(name,
        received.WithIds<HeadShotCompleted>().Select(c => (c.Message.RequestId, c.MessageId, Completed: true))
            .Concat(received.WithIds<HeadShotFailed>().Select(f => (f.Message.RequestId, f.MessageId, Completed: false)))
            .Where(e => ids.Contains(e.RequestId)).ToList());

    public int Completed => Jobs.Count(j => j.State == JobState.Completed);

    public int FailedBy(HeadShotFailureReason reason) => Jobs.Count(j => j.FailureReason == reason);

    public IEnumerable<string> Describe(string run = "chaos")
    {
        yield return $"{run}: {Jobs.Count} requests: completed {Completed} (immediate {Jobs.Count(j => j.Delivery == HeadShotDelivery.Immediate)}, " +
            $"webhook {Jobs.Count(j => j.Delivery == HeadShotDelivery.Webhook)}, poll {Jobs.Count(j => j.Delivery == HeadShotDelivery.Poll)}), " +
            $"failed {Jobs.Count(j => j.State == JobState.Failed)} ({string.Join(", ", Jobs.Where(j => j.FailureReason is not null).GroupBy(j => j.FailureReason).Select(g => $"{g.Key} {g.Count()}"))})";
        yield return $"{run}: simulator: head_shot calls {Stats.HeadShotCalls} for {Stats.HeadShotCallsByTrackId.Count} track_ids, never sent {NeverSent.Count}, " +
            $"webhooks sent {Stats.WebhooksSent}, dropped {Stats.WebhooksDropped}, duplicated {Stats.WebhooksDuplicated}, delayed {Stats.WebhooksDelayed}, " +
            $"failed attempts {Stats.WebhookAttemptsFailed}, undelivered {Stats.WebhooksUndelivered}, fetch calls {Stats.FetchCalls}";
        foreach (var subscriber in Subscribers)
        {
            yield return $"{run}: {subscriber.Name}: {subscriber.Events.Count} terminal events for {Jobs.Count} requests " +
                $"({subscriber.Events.Count - subscriber.Events.Select(e => e.RequestId).Distinct().Count()} duplicates, all with the request's MessageId)";
        }
    }

    public void AssertExactlyOneOutcomeEach()
    {
        Assert.Equal(ChaosTestsRequests, Jobs.Count);
        Assert.All(Jobs, j => Assert.True(j.State.IsTerminal(), $"job {j.TrackId} is {j.State}"));
        Assert.All(Jobs, j => Assert.False(Owed.Contains(j.TrackId), $"job {j.TrackId} still owes its event"));

        // Never a second paid generation; a job ModelsLab never saw can only have timed out.
        Assert.All(Stats.HeadShotCallsByTrackId, c => Assert.Equal(1, c.Value));
        Assert.All(NeverSent, j => Assert.Equal(HeadShotFailureReason.TimedOut, j.FailureReason));

        foreach (var subscriber in Subscribers)
        {
            var byRequest = subscriber.Events.ToLookup(e => e.RequestId);
            Assert.All(Jobs, job =>
            {
                var copies = byRequest[job.RequestId].ToList();
                Assert.NotEmpty(copies);
                Assert.All(copies, e => Assert.Equal(EventIds.Terminal(job.RequestId), e.MessageId));
                Assert.All(copies, e => Assert.Equal(job.State == JobState.Completed, e.Completed));
            });
        }
    }

    /// <summary>
    /// The run did what it was built to do, so a submitter that never calls ModelsLab, a simulator
    /// whose faults are off, or a pipeline that completes nothing fails here.
    /// </summary>
    // redeliveriesCertain: the run kills what holds deliveries in hand, so some subscriber surely sees one twice.
    public void AssertFaultsHappenedAndWorkWasDone(double failShare, int submitInterruptions, bool redeliveriesCertain = true)
    {
        // Every request reached ModelsLab once, except those a fault cut mid-submit (counted, bounded).
        Assert.InRange(NeverSent.Count, 0, submitInterruptions);
        Assert.Equal(Sent, Stats.HeadShotCallsByTrackId.Count);
        Assert.InRange(Stats.HeadShotCalls, Sent, Sent);

        // Generations fail with probability failShare: completed is Binomial(sent, 1 - failShare);
        // five standard deviations either side.
        var tolerance = (int)Math.Ceiling(5 * Math.Sqrt(Sent * failShare * (1 - failShare)));
        var expectedCompleted = (int)Math.Round(Sent * (1 - failShare));
        Assert.InRange(Completed, expectedCompleted - tolerance, Sent);
        Assert.InRange(FailedBy(HeadShotFailureReason.GenerationFailed), (int)(Sent * failShare) - tolerance, (int)(Sent * failShare) + tolerance);

        // Each fault actually happened (30% shares of ~500 jobs: far from zero).
        Assert.InRange(Stats.WebhooksDropped, 1, Sent * 3L);
        Assert.InRange(Stats.WebhooksDuplicated, 1, Sent);
        Assert.InRange(Stats.WebhooksDelayed, 1, Sent * 3L);

        // Duplicated webhooks, redeliveries after the broker kill and the receiver kill: the
        // subscribers saw repeated deliveries, each recognisable by its MessageId.
        var duplicates = Subscribers.Sum(s => s.Events.Count - s.Events.Select(e => e.RequestId).Distinct().Count());
        Assert.InRange(duplicates, redeliveriesCertain ? 1 : 0, Jobs.Count * Subscribers.Count * 3);
    }

    private const int ChaosTestsRequests = 500;
}
