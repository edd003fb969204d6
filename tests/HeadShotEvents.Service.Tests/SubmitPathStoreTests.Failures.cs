using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Reconciling;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HeadShotEvents.Service.Tests;

/// <summary>The submitter's batched writes when something fails: a refused row, a failed delivery, a cancelled request.</summary>
public sealed partial class SubmitPathStoreTests
{
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
}
