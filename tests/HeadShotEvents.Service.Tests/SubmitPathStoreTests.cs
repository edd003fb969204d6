using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Reconciling;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The submitter's writes gathered into batches: a RequestId gets one job however many deliveries
/// of it arrive together, the rows are exactly what the one-at-a-time path (EF) writes, ModelsLab's
/// answers apply only to unsettled jobs, and one bad row fails only its own caller
/// (SubmitPathStoreTests.Failures.cs).
/// </summary>
public sealed partial class SubmitPathStoreTests
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Concurrent_deliveries_create_one_job_per_request_id_with_the_rows_the_one_at_a_time_path_writes(bool sqlite)
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api", UseSqlite = sqlite });
        var submitPath = service.Services.GetRequiredService<SubmitPathStore>();
        var requests = Enumerable.Range(0, 60).Select(i => Request(i)).ToList();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Every request delivered twice at once, half of them created already claimed for sending.
        var creations = requests.Concat(requests).Select((request, i) => Task.Run(async () =>
        {
            await start.Task;
            var (job, created) = await submitPath.CreateAsync(request, TraceParent, "k=v", submitting: request.Seed % 2 == 0, CancellationToken.None);
            return (request.RequestId, job.TrackId, created);
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(creations);

        Assert.InRange(results.Count(r => r.created), requests.Count, requests.Count);
        Assert.All(requests, request =>
        {
            var both = results.Where(r => r.RequestId == request.RequestId).ToList();
            Assert.Equal(2, both.Count);
            Assert.Single(both, r => r.created);
            Assert.Single(both.Select(r => r.TrackId).Distinct());
        });
        var rows = await RowsAsync(service);
        Assert.InRange(rows.Count, requests.Count, requests.Count);
        if (!sqlite)
        {
            var (batches, creates) = submitPath.CreateCounts;
            Assert.InRange(creates, 2 * requests.Count, 2 * requests.Count);
            Assert.InRange(batches, 1, creates - 1); // some creations did share a commit
        }

        // Each row as EF reads it equals what JobStore.CreateAsync writes for the same request.
        var referenceRequests = new[] { Request(1000), Request(1001) };
        await using (var scope = service.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<JobStore>();
            foreach (var request in referenceRequests)
            {
                await store.CreateAsync(request, TraceParent, "k=v", CancellationToken.None, submitting: request.Seed % 2 == 0);
            }
        }

        var all = await RowsAsync(service);
        var grace = service.Services.GetRequiredService<IOptions<ReconcilerOptions>>().Value;
        foreach (var row in rows.Values)
        {
            var submitting = requests.Single(r => r.RequestId == row.RequestId).Seed % 2 == 0;
            var expected = all.Values.Single(r => r.RequestId == referenceRequests[submitting ? 0 : 1].RequestId);
            Assert.Equal(expected.State, row.State);
            Assert.Equal(submitting ? JobState.Submitting : JobState.Accepted, row.State);
            Assert.Equal(expected.TraceParent, row.TraceParent);
            Assert.Equal(expected.TraceState, row.TraceState);
            Assert.Equal(expected.Version, row.Version);
            Assert.Equal(expected.PollAttempts, row.PollAttempts);
            Assert.Equal(expected.Outputs, row.Outputs);
            Assert.Equal(expected.TerminalEventPending, row.TerminalEventPending);
            Assert.Equal(expected.ModelsLabId, row.ModelsLabId);
            Assert.Equal(requests.Single(r => r.RequestId == row.RequestId).Metadata, row.Metadata);
            Assert.Equal(expected.Metadata!.Keys, row.Metadata!.Keys);
            Assert.Equal(RequestFingerprint.Of(requests.Single(r => r.RequestId == row.RequestId)), row.RequestFingerprint);
            Assert.Equal(row.CreatedAt, row.UpdatedAt);
            Assert.Equal(submitting ? row.CreatedAt : null, row.SubmittedAt);
            Assert.Equal(row.CreatedAt + (submitting ? grace.Grace : grace.Deadline), row.NextPollAt);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Modelslabs_answers_put_unsettled_jobs_in_processing_and_leave_a_settled_one_alone(bool sqlite)
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api", UseSqlite = sqlite });
        var submitPath = service.Services.GetRequiredService<SubmitPathStore>();
        var jobs = new List<HeadShotJob>();
        for (var i = 0; i < 30; i++)
        {
            jobs.Add((await submitPath.CreateAsync(Request(i), TraceParent, null, submitting: true, CancellationToken.None)).Job);
        }

        var settled = jobs[7].TrackId;
        await using (var scope = service.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<JobStore>();
            Assert.True(await store.SettleAsync(settled, new JobSettlement(JobState.Failed, DateTime.UtcNow, null, null, null)
            {
                FailureReason = HeadShotFailureReason.GenerationFailed,
                FailureMessage = "failed first",
            }, null, CancellationToken.None));
        }

        var answeredAt = DateTime.UtcNow;
        // Sooner than the look the claim asked for (after the grace), so it replaces it.
        var firstPoll = answeredAt.AddSeconds(10);
        var records = await Task.WhenAll(jobs.Select(job => Task.Run(() =>
            submitPath.RecordQueuedAsync(new QueuedRecord(job.TrackId, $"ml-{job.TrackId}", 12.5, answeredAt, firstPoll), CancellationToken.None))));

        Assert.Equal(jobs.Select(j => j.TrackId != settled), records);
        var rows = await RowsAsync(service);
        Assert.Equal(JobState.Failed, rows[settled].State);
        Assert.Null(rows[settled].ModelsLabId);
        Assert.All(jobs.Where(j => j.TrackId != settled), job =>
        {
            var row = rows[job.TrackId];
            Assert.Equal(JobState.Processing, row.State);
            Assert.Equal($"ml-{job.TrackId}", row.ModelsLabId);
            Assert.Equal(12.5, row.EtaSeconds);
            Assert.Equal(firstPoll, row.NextPollAt!.Value, TimeSpan.FromMilliseconds(1));
            Assert.Equal(answeredAt, row.SubmittedAt!.Value, TimeSpan.FromMilliseconds(1));
            Assert.Equal(1, row.Version);
        });
    }

    private static HeadShotRequested Request(int seed) => Pipeline.Request() with
    {
        Seed = seed,
        Metadata = new Dictionary<string, string> { ["customer"] = $"c-{seed}", ["note"] = "ü \"quoted\"" },
    };

    private static async Task<Dictionary<long, HeadShotJob>> RowsAsync(ServiceApplication service)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        return await db.Jobs.AsNoTracking().ToDictionaryAsync(j => j.TrackId);
    }
}
