using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Reconciling;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using HeadShotEvents.Testing;
using Npgsql;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The submitter's writes gathered into batches: a RequestId gets one job however many deliveries
/// of it arrive together, the rows are exactly what the one-at-a-time path (EF) writes, ModelsLab's
/// answers apply only to unsettled jobs, and one bad row fails only its own caller.
/// </summary>
public sealed class SubmitPathStoreTests
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

    [Fact]
    public async Task A_row_the_database_refuses_fails_only_its_own_caller_not_the_batch_it_shared()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            Roles = "Api",
            Settings = new Dictionary<string, string?> { ["Jobs:GroupCommit:ConcurrentBatches"] = "1" },
        });
        var submitPath = service.Services.GetRequiredService<SubmitPathStore>();
        var requests = Enumerable.Range(0, 40).Select(i => Request(i)).ToList();
        var poisoned = requests[20].RequestId;

        // The first creation's batch is held up by a table lock, so the other 39, the refused one
        // among them, certainly share the next batch.
        await using var blocker = new NpgsqlConnection(service.ConnectionString);
        await blocker.OpenAsync();
        var holding = await blocker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE head_shot_jobs IN SHARE MODE", blocker, holding))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var first = Create(requests[0]);
        await Eventually.UntilAsync(() => Task.FromResult(submitPath.CreateCounts.Batches), batches => batches == 1, TimeSpan.FromSeconds(10), "the first batch to start");
        var rest = requests.Skip(1).Select(Create).ToList();
        await Eventually.UntilAsync(() => Task.FromResult(submitPath.CreatesWaiting), waiting => waiting == 39, TimeSpan.FromSeconds(10),
            "the other 39 to queue behind the held batch");
        await holding.RollbackAsync();
        var results = await Task.WhenAll(rest.Prepend(first));

        Assert.Equal(requests.Where(r => r.RequestId != poisoned).Select(r => r.RequestId).Order(), results.Where(r => r.ok).Select(r => r.RequestId).Order());
        var rows = await RowsAsync(service);
        Assert.InRange(rows.Count, requests.Count - 1, requests.Count - 1);
        Assert.DoesNotContain(rows.Values, row => row.RequestId == poisoned);
        Assert.Equal((2L, 40L), submitPath.CreateCounts); // the held one alone, then the 39 together

        Task<(Guid RequestId, bool ok)> Create(HeadShotRequested request) => Task.Run(async () =>
        {
            // TraceState is at most 512 characters in PostgreSQL: this one row is refused.
            var traceState = request.RequestId == poisoned ? new string('x', 600) : "k=v";
            try
            {
                return (request.RequestId, (await submitPath.CreateAsync(request, TraceParent, traceState, false, CancellationToken.None)).Created);
            }
            catch (System.Data.Common.DbException)
            {
                return (request.RequestId, false);
            }
        });
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_job_created_claimed_by_a_delivery_that_failed_is_handed_back_as_accepted_and_no_other_is(bool sqlite)
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api", UseSqlite = sqlite });
        var submitPath = service.Services.GetRequiredService<SubmitPathStore>();
        var unsent = await submitPath.CreateAsync(Request(1), TraceParent, null, submitting: true, CancellationToken.None);
        var accepted = await submitPath.CreateAsync(Request(2), TraceParent, null, submitting: false, CancellationToken.None);
        var sent = await submitPath.CreateAsync(Request(3), TraceParent, null, submitting: true, CancellationToken.None);
        Assert.True(await submitPath.RecordQueuedAsync(new QueuedRecord(sent.Job.TrackId, "ml-3", 1, DateTime.UtcNow, DateTime.UtcNow.AddMinutes(1)),
            CancellationToken.None)); // sent and answered: version 1, Processing

        await using (var scope = service.Services.CreateAsyncScope())
        {
            var store = scope.ServiceProvider.GetRequiredService<JobStore>();
            Assert.True(await store.ReleaseUnsentClaimAsync(unsent.Job.RequestId, CancellationToken.None));
            Assert.False(await store.ReleaseUnsentClaimAsync(unsent.Job.RequestId, CancellationToken.None)); // once
            Assert.False(await store.ReleaseUnsentClaimAsync(accepted.Job.RequestId, CancellationToken.None));
            Assert.False(await store.ReleaseUnsentClaimAsync(sent.Job.RequestId, CancellationToken.None));
        }

        var rows = await RowsAsync(service);
        var deadline = service.Services.GetRequiredService<IOptions<ReconcilerOptions>>().Value.Deadline;
        var released = rows[unsent.Job.TrackId];
        Assert.Equal(JobState.Accepted, released.State);
        Assert.Null(released.SubmittedAt);
        Assert.Equal(1, released.Version);
        Assert.InRange(released.NextPollAt!.Value, DateTime.UtcNow + deadline - TimeSpan.FromMinutes(1), DateTime.UtcNow + deadline);
        Assert.Equal(JobState.Accepted, rows[accepted.Job.TrackId].State);
        Assert.Equal(0, rows[accepted.Job.TrackId].Version);
        Assert.Equal(JobState.Processing, rows[sent.Job.TrackId].State);
    }

    [Fact]
    public async Task A_request_cancelled_before_a_batch_takes_it_is_never_written()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var written = new List<int>();
        await using var coalescer = new Coalescer<int, int>(async (batch, _) =>
        {
            lock (written)
            {
                written.AddRange(batch);
            }

            await gate.Task;
            return [.. batch];
        }, maxBatch: 10, concurrentBatches: 1);

        var first = coalescer.RunAsync(1, CancellationToken.None);
        await Eventually.UntilAsync(() => Task.FromResult(coalescer.Batches), batches => batches == 1, TimeSpan.FromSeconds(5), "the first batch to start");

        using var cancel = new CancellationTokenSource();
        var dropped = coalescer.RunAsync(2, cancel.Token);
        var kept = coalescer.RunAsync(3, CancellationToken.None);
        await cancel.CancelAsync();
        gate.SetResult();

        Assert.Equal(1, await first);
        Assert.Equal(3, await kept);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
        Assert.Equal([1, 3], written);
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
