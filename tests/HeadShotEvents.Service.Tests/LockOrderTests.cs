using HeadShotEvents.Contracts;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.GroupCommit;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using HeadShotEvents.Testing;
using Npgsql;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// Two batches over the same jobs, asked in opposite orders, never deadlock: each writes its rows in
/// key order. Made certain to overlap: a third transaction holds the middle row, so both batches
/// have taken their first rows and wait on it when it lets go; in opposite orders each would then
/// wait on the other, and PostgreSQL would abort one (40P01) after its deadlock check.
/// </summary>
public sealed class LockOrderTests
{
    [Fact]
    public async Task A_settle_batch_and_a_processing_batch_over_the_same_jobs_in_opposite_orders_both_apply()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api" });
        var submitPath = service.Services.GetRequiredService<SubmitPathStore>();
        var ids = new List<long>();
        var requestIds = new Dictionary<long, Guid>();
        for (var i = 0; i < 9; i++)
        {
            var request = Pipeline.Request();
            var trackId = (await submitPath.CreateAsync(request, null, null, submitting: true, CancellationToken.None)).Job.TrackId;
            ids.Add(trackId);
            requestIds[trackId] = request.RequestId;
        }

        var middle = ids[4];
        var now = DateTime.UtcNow;
        var settles = ids.Select(id => new SettleRequest(id, new JobSettlement(JobState.Failed, now, null, null, null)
        {
            FailureReason = HeadShotFailureReason.GenerationFailed,
            FailureMessage = "failed",
        }, null)).ToList();
        var records = ids.AsEnumerable().Reverse().Select(id => new QueuedRecord(id, $"ml-{id}", 1, now, now.AddMinutes(1))).ToList();

        await using var blocker = new NpgsqlConnection(service.ConnectionString);
        await blocker.OpenAsync();
        await using var holding = await blocker.BeginTransactionAsync();
        await using (var lockMiddle = new NpgsqlCommand($"SELECT 1 FROM head_shot_jobs WHERE \"TrackId\" = {middle} FOR UPDATE", blocker, holding))
        {
            await lockMiddle.ExecuteScalarAsync();
        }

        await using var settleScope = service.Services.CreateAsyncScope();
        await using var recordScope = service.Services.CreateAsyncScope();
        var settleDb = settleScope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var recordDb = recordScope.ServiceProvider.GetRequiredService<JobsDbContext>();
        // Both connected before either starts: a CI run once saw the settle's connection not yet open
        // after 10 s (the whole suite beside it), while the record already waited on its row.
        await settleDb.Database.OpenConnectionAsync();
        await recordDb.Database.OpenConnectionAsync();
        var settling = PostgresSettlements.RunAsync(settleDb, settles, now, null, CancellationToken.None);
        var recording = PostgresSubmissions.RecordQueuedAsync((NpgsqlConnection)recordDb.Database.GetDbConnection(), records, CancellationToken.None);

        // Both are waiting on the held row (or, in key order, one on the other): then let go.
        try
        {
            await Eventually.UntilAsync(() => WaitingOnLocksAsync(blocker), waiting => waiting >= 2, Pipeline.Patience, "both batches to wait on a row lock");
        }
        catch (TimeoutException timeout)
        {
            var sessions = $"sessions: {await ActivityAsync(blocker)}; settle {settling.Status}, record {recording.Status}";
            // Let the batches finish before the scopes are disposed: one still blocked would hold its
            // connection until the command timeout, and that disposal's error would hide this one.
            await holding.RollbackAsync();
            await Task.WhenAll(settling, recording).ContinueWith(_ => { }, TaskScheduler.Default);
            throw new TimeoutException($"{timeout.Message}; {sessions}", timeout);
        }
        await holding.RollbackAsync();

        var settled = await settling;
        var recorded = await recording;

        // Every job settled; a record applied only where it came first, and each caller's result is its own job's.
        // Each caller's row is its own job's, as RETURNING read it back (the RequestId comes from the row).
        Assert.All(settled.Select((row, i) => (row, i)), x => Assert.Equal(requestIds[settles[x.i].TrackId], x.row?.RequestId));
        await using var scope = service.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<JobsDbContext>().Jobs.AsNoTracking()
            .Where(j => ids.Contains(j.TrackId)).ToDictionaryAsync(j => j.TrackId);
        Assert.Equal(ids.Count, rows.Values.Count(j => j.State == JobState.Failed));
        for (var i = 0; i < records.Count; i++)
        {
            var row = rows[records[i].TrackId];
            Assert.Equal(recorded[i] ? $"ml-{row.TrackId}" : null, row.ModelsLabId);
            Assert.Equal(recorded[i] ? 2 : 1, row.Version);
        }
    }

    private static async Task<string> ActivityAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "SELECT string_agg(state || '/' || coalesce(wait_event_type, '-') || '/' || coalesce(wait_event, '-') || ': ' || left(query, 60), ' | ') FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
        return (await command.ExecuteScalarAsync()) as string ?? "none";
    }

    private static async Task<long> WaitingOnLocksAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
