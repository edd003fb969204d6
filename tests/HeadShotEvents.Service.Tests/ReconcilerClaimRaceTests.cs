using System.Data.Common;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Reconciling;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// Two reconcilers claiming the same due rows at the same moment: both have read every candidate
/// before either writes (a barrier in front of the first UPDATE), so only the compare-and-swap
/// decides who polls each job.
/// </summary>
public sealed class ReconcilerClaimRaceTests
{
    private const int DueJobs = 12;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Two_reconcilers_claiming_at_the_same_moment_take_each_due_job_exactly_once(bool sqlite)
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api", UseSqlite = sqlite });
        var due = await SeedDueJobsAsync(service);
        var barrier = new ClaimBarrier(participants: 2);

        var claims = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() => ClaimAsync(service, barrier))));

        Assert.True(barrier.Met, "both reconcilers read the due rows before either claimed one");
        Assert.Empty(claims[0].Intersect(claims[1]));
        Assert.Equal(due.Order(), claims[0].Concat(claims[1]).Order());
        Assert.InRange(claims[0].Count + claims[1].Count, DueJobs, DueJobs);
    }

    private static async Task<List<long>> SeedDueJobsAsync(ServiceApplication service)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var now = DateTime.UtcNow;
        var jobs = Enumerable.Range(0, DueJobs).Select(_ => new HeadShotJob
        {
            RequestId = Guid.NewGuid(),
            State = JobState.Processing,
            CreatedAt = now,
            UpdatedAt = now,
            NextPollAt = now - TimeSpan.FromMinutes(1),
        }).ToList();
        db.Jobs.AddRange(jobs);
        await db.SaveChangesAsync();
        return jobs.Select(j => j.TrackId).ToList();
    }

    /// <summary>One reconciler's claim, on its own connection, held at its first UPDATE until the other arrives.</summary>
    private static async Task<List<long>> ClaimAsync(ServiceApplication service, ClaimBarrier barrier)
    {
        await using var scope = service.Services.CreateAsyncScope();
        // The service's own store, on a connection of this claim's own, with the barrier in front of its first UPDATE.
        var builder = new DbContextOptionsBuilder<JobsDbContext>();
        var options = (service.Provider == "Sqlite" ? builder.UseSqlite(service.ConnectionString) : builder.UseNpgsql(service.ConnectionString))
            .AddInterceptors(new WaitAtFirstUpdate(barrier)).Options;
        await using var db = new JobsDbContext(options);
        var store = new JobStore(db, TimeProvider.System, Options.Create(new ReconcilerOptions()));
        var claimed = await store.ClaimDueAsync(limit: 100, lease: TimeSpan.FromMinutes(5), CancellationToken.None);
        return claimed.Select(j => j.TrackId).ToList();
    }

    private sealed class ClaimBarrier(int participants)
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _arrived;

        public bool Met => _all.Task.IsCompletedSuccessfully;

        public async Task ArriveAsync(CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _arrived) == participants)
            {
                _all.TrySetResult();
            }

            await _all.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
    }

    private sealed class WaitAtFirstUpdate(ClaimBarrier barrier) : DbCommandInterceptor
    {
        private int _passed;

        public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.Contains("UPDATE", StringComparison.OrdinalIgnoreCase) && Interlocked.Exchange(ref _passed, 1) == 0)
            {
                await barrier.ArriveAsync(cancellationToken);
            }

            return result;
        }
    }
}
