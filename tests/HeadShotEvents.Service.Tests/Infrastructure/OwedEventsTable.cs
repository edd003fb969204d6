using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Outbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests.Infrastructure;

/// <summary>The outbox's table (<see cref="OwedEventRow"/>) as tests read and seed it: each owed event's job, and its claim (null: free to take).</summary>
public static class OwedEventsTable
{
    public static async Task<Dictionary<long, DateTime?>> ReadAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await ReadAsync(scope.ServiceProvider.GetRequiredService<JobsDbContext>());
    }

    public static Task<Dictionary<long, DateTime?>> ReadAsync(JobsDbContext db) =>
        db.OwedEvents.AsNoTracking().ToDictionaryAsync(o => o.TrackId, o => o.ClaimedUntil);

    /// <summary>Owes the jobs' events as a settle would have, each claimed until <paramref name="claimedUntil"/>.</summary>
    public static async Task OweAsync(JobsDbContext db, IEnumerable<long> trackIds, DateTime? claimedUntil = null)
    {
        db.OwedEvents.AddRange(trackIds.Select(id => new OwedEventRow { TrackId = id, ClaimedUntil = claimedUntil }));
        await db.SaveChangesAsync();
    }
}
