using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outbox;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The outbox's claims, on both databases: dispatchers claiming at once never take the same owed
/// event, and one whose lease lapsed can neither clear nor release what another has claimed since.
/// The service runs as Api only, so no dispatcher of its own touches the seeded rows.
/// </summary>
public sealed class OutboxClaimTests
{
    private const int Owed = 60;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Dispatchers_claiming_at_once_take_each_owed_event_exactly_once(bool sqlite)
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api", UseSqlite = sqlite });
        var owed = await SeedOwedAsync(service);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var claimers = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            var mine = new List<long>();
            await using var db = Context(service);
            var store = new OwedEventStore(db, TimeProvider.System);
            for (var batch = await store.ClaimAsync(7, TimeSpan.FromMinutes(5), CancellationToken.None);
                 batch.Jobs.Count > 0;
                 batch = await store.ClaimAsync(7, TimeSpan.FromMinutes(5), CancellationToken.None))
            {
                mine.AddRange(batch.Jobs.Select(j => j.TrackId));
            }

            return mine;
        })).ToArray();
        start.SetResult();
        var claimed = await Task.WhenAll(claimers);

        var all = claimed.SelectMany(c => c).ToList();
        Assert.InRange(all.Count, Owed, Owed); // not one event claimed twice ...
        Assert.Equal(owed.Order(), all.Order()); // ... and none left out
        Assert.InRange(claimed.Count(c => c.Count > 0), 1, 6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_dispatcher_whose_lease_lapsed_neither_clears_nor_releases_the_claim_another_took_since(bool sqlite)
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api", UseSqlite = sqlite });
        var owed = await SeedOwedAsync(service);
        await using var slowDb = Context(service);
        await using var laterDb = Context(service);
        var slow = new OwedEventStore(slowDb, TimeProvider.System);
        var later = new OwedEventStore(laterDb, new ShiftedTime(TimeSpan.FromMinutes(10))); // its clock is past the first lease

        var first = await slow.ClaimAsync(Owed, TimeSpan.FromMinutes(5), CancellationToken.None);
        var second = await later.ClaimAsync(Owed, TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.Equal(owed.Order(), first.Jobs.Select(j => j.TrackId).Order());
        Assert.Equal(owed.Order(), second.Jobs.Select(j => j.TrackId).Order());

        await slow.ReleaseAsync(owed, first.ClaimedUntil, TimeSpan.Zero, CancellationToken.None);
        await slow.ClearAsync(owed, first.ClaimedUntil, CancellationToken.None);
        var afterSlow = await OwedAsync(service);
        Assert.All(owed, id => Assert.True(afterSlow.TryGetValue(id, out var claim) && claim == second.ClaimedUntil,
            $"job {id} must stay owed and claimed by the second dispatcher"));

        await later.ClearAsync(owed, second.ClaimedUntil, CancellationToken.None);
        var afterLater = await OwedAsync(service);
        Assert.InRange(owed.Count(id => !afterLater.ContainsKey(id)), Owed, Owed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Events_under_different_claims_are_cleared_and_released_each_under_its_own_claim_only(bool sqlite)
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api", UseSqlite = sqlite });
        var owed = await SeedOwedAsync(service);
        await using var db = Context(service);
        var store = new OwedEventStore(db, TimeProvider.System);
        var x = (await store.ClaimAsync(20, TimeSpan.FromMinutes(5), CancellationToken.None));
        await Task.Delay(5); // a later claim, a different value
        var y = (await store.ClaimAsync(20, TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.NotEqual(x.ClaimedUntil, y.ClaimedUntil);

        // Each event named under the OTHER batch's claim: not one row may change.
        var crossed = x.Jobs.Select(j => new OwedEvent(j, y.ClaimedUntil)).Concat(y.Jobs.Select(j => new OwedEvent(j, x.ClaimedUntil))).ToList();
        await store.ClearAsync(crossed, CancellationToken.None);
        await store.ReleaseAsync(crossed, TimeSpan.FromMinutes(1), CancellationToken.None);
        var rows = await OwedAsync(service);
        Assert.All(x.Jobs, j => Assert.Equal(x.ClaimedUntil, rows[j.TrackId]));
        Assert.All(y.Jobs, j => Assert.Equal(y.ClaimedUntil, rows[j.TrackId]));

        // Under their own claims, in one call: x's cleared, then y's released for a minute.
        var clearX = x.Jobs.Select(j => new OwedEvent(j, x.ClaimedUntil)).ToList();
        var releaseY = y.Jobs.Select(j => new OwedEvent(j, y.ClaimedUntil)).ToList();
        await store.ClearAsync(clearX, CancellationToken.None);
        await store.ReleaseAsync(releaseY, TimeSpan.FromMinutes(1), CancellationToken.None);
        rows = await OwedAsync(service);
        Assert.InRange(owed.Count(id => !rows.ContainsKey(id)), x.Jobs.Count, x.Jobs.Count);
        Assert.All(x.Jobs, j => Assert.DoesNotContain(j.TrackId, rows.Keys));
        Assert.All(y.Jobs, j => Assert.True(rows.TryGetValue(j.TrackId, out var claim)
            && claim > DateTime.UtcNow.AddSeconds(30) && claim < DateTime.UtcNow.AddSeconds(90)));
        Assert.InRange(owed.Count - x.Jobs.Count - y.Jobs.Count, 0, Owed);
    }

    private static JobsDbContext Context(ServiceApplication service)
    {
        var builder = new DbContextOptionsBuilder<JobsDbContext>();
        return new JobsDbContext((service.Provider == "Sqlite" ? builder.UseSqlite(service.ConnectionString) : builder.UseNpgsql(service.ConnectionString)).Options);
    }

    private static async Task<Dictionary<long, DateTime?>> OwedAsync(ServiceApplication service)
    {
        await using var db = Context(service);
        return await OwedEventsTable.ReadAsync(db);
    }

    private static async Task<List<long>> SeedOwedAsync(ServiceApplication service)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var now = DateTime.UtcNow;
        var jobs = Enumerable.Range(0, Owed).Select(_ => new HeadShotJob
        {
            RequestId = Guid.NewGuid(),
            State = JobState.Completed,
            CreatedAt = now,
            UpdatedAt = now,
            FinishedAt = now,
            Outputs = ["https://pub-3626123a.r2.dev/temp/x-0.png"],
        }).ToList();
        db.Jobs.AddRange(jobs);
        await db.SaveChangesAsync();
        await OwedEventsTable.OweAsync(db, jobs.Select(j => j.TrackId));
        return jobs.Select(j => j.TrackId).ToList();
    }
}
