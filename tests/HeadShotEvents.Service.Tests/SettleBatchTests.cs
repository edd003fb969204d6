using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// A settling batch on PostgreSQL applies as its settles would one by one, in the order they were
/// asked: a job asked twice sees what the first ask wrote, a version is checked on the row as the
/// batch has left it, and each completion writes its own outputs and owes its own event. (A batch
/// as one UPDATE over arrays, tried in session 9, had to keep this by running repeats in rounds.)
/// </summary>
public sealed class SettleBatchTests
{
    [Fact]
    public async Task A_batch_with_repeated_jobs_versions_and_outputs_settles_as_its_settles_one_by_one_would()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api" });
        var ids = await GroupCommitTests.SeedProcessingAsync(service, 6);
        var (a, b, c, d, e, settledBefore) = (ids[0], ids[1], ids[2], ids[3], ids[4], ids[5]);
        var now = DateTime.UtcNow;
        await using (var scope = service.Services.CreateAsyncScope())
        {
            var before = await PostgresSettlements.RunAsync(scope.ServiceProvider.GetRequiredService<JobsDbContext>(),
                [new SettleRequest(settledBefore, GroupCommitTests.Failed(now, settledBefore), null)], now, null, CancellationToken.None);
            Assert.NotNull(Assert.Single(before));
        }

        var version = (await GroupCommitTests.RowsAsync(service))[b].Version;
        SettleRequest Complete(long id, params string[] outputs) =>
            new(id, GroupCommitTests.Completed(now, id) with { Outputs = outputs }, null);
        var requests = new List<SettleRequest>
        {
            Complete(a, "https://pub-3626123a.r2.dev/temp/a-0.png"),
            new(b, GroupCommitTests.Failed(now, b), version + 1), // a version the row never had
            new(a, GroupCommitTests.Failed(now, a), null), // a second ask: a is Completed by then
            Complete(c),
            Complete(d, "https://pub-3626123a.r2.dev/temp/d-0.png", "https://pub-3626123a.r2.dev/temp/d-1.png"),
            Complete(b, "https://pub-3626123a.r2.dev/temp/b-0.png") with { ExpectedVersion = version }, // the row is still at it
            Complete(e, "https://pub-3626123a.r2.dev/temp/e-0.png"),
            Complete(settledBefore, "https://pub-3626123a.r2.dev/temp/x-0.png"),
            Complete(987_654_321, "https://pub-3626123a.r2.dev/temp/y-0.png"), // no such job
            Complete(a, "https://pub-3626123a.r2.dev/temp/a-2.png"), // a third ask
        };

        IReadOnlyList<HeadShotJob?> results;
        await using (var scope = service.Services.CreateAsyncScope())
        {
            results = await PostgresSettlements.RunAsync(scope.ServiceProvider.GetRequiredService<JobsDbContext>(), requests, now, null, CancellationToken.None);
        }

        Assert.Equal([true, false, false, true, true, true, true, false, false, false], results.Select(r => r is not null));
        Assert.Equal([a, c, d, b, e], results.OfType<HeadShotJob>().Select(r => r.TrackId));
        var rows = await GroupCommitTests.RowsAsync(service);
        Assert.Equal(JobState.Completed, rows[a].State);
        Assert.Equal(["https://pub-3626123a.r2.dev/temp/a-0.png"], rows[a].Outputs);
        Assert.Null(rows[a].FailureReason);
        Assert.Equal(JobState.Completed, rows[b].State);
        Assert.Equal(["https://pub-3626123a.r2.dev/temp/b-0.png"], rows[b].Outputs);
        Assert.Equal(version + 1, rows[b].Version);
        Assert.Equal(JobState.Completed, rows[c].State);
        Assert.Empty(rows[c].Outputs);
        Assert.Equal((JobState.Completed, JobState.Completed), (rows[d].State, rows[e].State));
        Assert.Equal(["https://pub-3626123a.r2.dev/temp/d-0.png", "https://pub-3626123a.r2.dev/temp/d-1.png"], rows[d].Outputs);
        Assert.Equal(["https://pub-3626123a.r2.dev/temp/e-0.png"], rows[e].Outputs);
        Assert.Equal((JobState.Failed, HeadShotFailureReason.GenerationFailed), (rows[settledBefore].State, rows[settledBefore].FailureReason));
        Assert.Empty(rows[settledBefore].Outputs);
        Assert.Equal(new[] { a, b, c, d, e, settledBefore }.Order(), (await OwedEventsTable.ReadAsync(service.Services)).Keys.Order());
    }
}
