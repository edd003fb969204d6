using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The webhook's reads and settling writes gathered into batches: each caller still gets its own
/// answer, a job settles once however many settles of it share a batch, the rows are exactly what
/// the one-statement path writes, and one bad row fails only its own caller.
/// </summary>
public sealed class GroupCommitTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_settles_apply_once_per_job_and_write_what_the_one_statement_path_writes(bool sqlite)
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api", UseSqlite = sqlite });
        var jobs = await SeedProcessingAsync(service, 80);
        var hotPath = service.Services.GetRequiredService<HotPathStore>();
        var now = DateTime.UtcNow;
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Two settles per job, a completion and a failure, all at once: one of each pair applies.
        var settles = jobs.SelectMany(id => new[] { Completed(now, id), Failed(now, id) }.Select(settlement => Task.Run(async () =>
        {
            await start.Task;
            return (id, settlement.State, applied: await hotPath.SettleAsync(id, settlement, null, CancellationToken.None));
        }))).ToList();
        start.SetResult();
        var results = await Task.WhenAll(settles);

        Assert.InRange(results.Count(r => r.applied), jobs.Count, jobs.Count);
        Assert.All(jobs, id => Assert.Single(results, r => r.id == id && r.applied));
        var (batches, count) = hotPath.SettleCounts;
        Assert.InRange(count, 2 * jobs.Count, 2 * jobs.Count);
        Assert.InRange(batches, 1, count - 1); // some settles did share a commit

        // Each row as EF reads it equals what JobStore.SettleAsync (the one-statement path) writes.
        var rows = await RowsAsync(service);
        var reference = await SeedProcessingAsync(service, 2);
        await using (var scope = service.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<JobStore>();
            Assert.True(await store.SettleAsync(reference[0], Completed(now, reference[0]), null, CancellationToken.None));
            Assert.True(await store.SettleAsync(reference[1], Failed(now, reference[1]), null, CancellationToken.None));
        }

        var referenceRows = await RowsAsync(service);
        foreach (var result in results.Where(r => r.applied))
        {
            var expected = referenceRows[result.State == JobState.Completed ? reference[0] : reference[1]];
            AssertSameSettledRow(expected, rows[result.id]);
        }

        // Each settled job owes its event once, unclaimed (no dispatcher runs here), on either path.
        var owed = await OwedEventsTable.ReadAsync(service.Services);
        Assert.InRange(owed.Count, jobs.Count + reference.Count, jobs.Count + reference.Count);
        Assert.All(jobs.Concat(reference), id => Assert.True(owed.TryGetValue(id, out var claim) && claim is null, $"job {id}'s event owed, unclaimed"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_settle_at_a_version_the_row_has_left_does_not_apply(bool sqlite)
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api", UseSqlite = sqlite });
        var ids = await SeedProcessingAsync(service, 1);
        var hotPath = service.Services.GetRequiredService<HotPathStore>();
        var version = (await RowsAsync(service))[ids[0]].Version;

        Assert.False(await hotPath.SettleAsync(ids[0], Failed(DateTime.UtcNow, ids[0]), version + 1, CancellationToken.None));
        Assert.Equal(JobState.Processing, (await RowsAsync(service))[ids[0]].State);
        Assert.True(await hotPath.SettleAsync(ids[0], Failed(DateTime.UtcNow, ids[0]), version, CancellationToken.None));
        Assert.Equal(JobState.Failed, (await RowsAsync(service))[ids[0]].State);
    }

    [Fact]
    public async Task A_row_the_database_refuses_fails_only_its_own_caller_not_the_batch_it_shared()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            Roles = "Api",
            Settings = new Dictionary<string, string?> { ["Jobs:GroupCommit:ConcurrentBatches"] = "1" },
        });
        var jobs = await SeedProcessingAsync(service, 40);
        var hotPath = service.Services.GetRequiredService<HotPathStore>();
        var now = DateTime.UtcNow;
        var poisoned = jobs[20];
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var settles = jobs.Select(id => Task.Run(async () =>
        {
            await start.Task;
            // ModelsLabId is at most 128 characters in PostgreSQL: this one row is refused.
            var settlement = id == poisoned ? Completed(now, id) with { ModelsLabId = new string('x', 200) } : Completed(now, id);
            try
            {
                return (id, ok: await hotPath.SettleAsync(id, settlement, null, CancellationToken.None), error: "");
            }
            catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException)
            {
                return (id, ok: false, error: $"{id}: {ex.GetType().Name} {ex.Message}");
            }
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(settles);

        Assert.True(jobs.Where(id => id != poisoned).Order().SequenceEqual(results.Where(r => r.ok).Select(r => r.id).Order()),
            "Refused: " + string.Join("; ", results.Where(r => !r.ok).Select(r => r.error).Take(3)));
        var rows = await RowsAsync(service);
        Assert.Equal(JobState.Processing, rows[poisoned].State);
        Assert.InRange(rows.Values.Count(j => j.State == JobState.Completed), jobs.Count - 1, jobs.Count - 1);
        var (batches, count) = hotPath.SettleCounts;
        Assert.InRange(batches, 1, count - 1);
    }

    internal static JobSettlement Completed(DateTime now, long id) =>
        new JobSettlement(JobState.Completed, now, $"ml-{id}", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "vendor=a")
        {
            Outputs = ["https://pub-3626123a.r2.dev/temp/a-0.png", "https://pub-3626123a.r2.dev/temp/a-1.png"],
            OutputsExpireAt = now.AddHours(24),
            Delivery = HeadShotDelivery.Webhook,
            GenerationSeconds = 3.25,
        };

    internal static JobSettlement Failed(DateTime now, long id) =>
        new JobSettlement(JobState.Failed, now, $"ml-{id}", null, null)
        {
            FailureReason = HeadShotFailureReason.GenerationFailed,
            FailureMessage = "NSFW content detected \"quoted\" ü",
            FieldErrors = new Dictionary<string, string[]> { ["prompt"] = ["too long", "odd"] },
        };

    private static void AssertSameSettledRow(HeadShotJob expected, HeadShotJob actual)
    {
        Assert.Equal(expected.State, actual.State);
        Assert.Equal(expected.FinishedAt, actual.FinishedAt);
        Assert.Equal($"ml-{actual.TrackId}", actual.ModelsLabId);
        Assert.Null(actual.NextPollAt);
        Assert.Equal(1, actual.Version);
        Assert.Equal(expected.TraceParent, actual.TraceParent);
        Assert.Equal(expected.TraceState, actual.TraceState);
        Assert.Equal(expected.Outputs, actual.Outputs);
        Assert.Equal(expected.OutputsExpireAt, actual.OutputsExpireAt);
        Assert.Equal(expected.Delivery, actual.Delivery);
        Assert.Equal(expected.GenerationSeconds, actual.GenerationSeconds);
        Assert.Equal(expected.FailureReason, actual.FailureReason);
        Assert.Equal(expected.FailureMessage, actual.FailureMessage);
        Assert.Equal(expected.FieldErrors?.Select(e => (e.Key, string.Join('|', e.Value))), actual.FieldErrors?.Select(e => (e.Key, string.Join('|', e.Value))));
    }

    internal static async Task<Dictionary<long, HeadShotJob>> RowsAsync(ServiceApplication service)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        return await db.Jobs.AsNoTracking().ToDictionaryAsync(j => j.TrackId);
    }

    internal static async Task<List<long>> SeedProcessingAsync(ServiceApplication service, int count)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var now = DateTime.UtcNow;
        var jobs = Enumerable.Range(0, count).Select(_ => new HeadShotJob
        {
            RequestId = Guid.NewGuid(),
            State = JobState.Processing,
            CreatedAt = now,
            UpdatedAt = now,
            SubmittedAt = now,
            NextPollAt = now.AddMinutes(5),
            TraceParent = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01",
        }).ToList();
        db.Jobs.AddRange(jobs);
        await db.SaveChangesAsync();
        return jobs.Select(j => j.TrackId).ToList();
    }
}
