using System.Diagnostics;
using HeadShotEvents.Benchmarks.Infrastructure;
using HeadShotEvents.Service.Jobs;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HeadShotEvents.Benchmarks.Sections;

public sealed record ClaimResult(int Due, int Settled, int NotYetDue, double BaselineMs, double LoadedMs)
{
    public double Ratio => LoadedMs / BaselineMs;
}

/// <summary>
/// The reconciler's claim query must cost what the DUE jobs cost, not what all jobs cost: the same
/// 50 due jobs are claimed from a table that holds nothing else, then from one that also holds
/// many settled and not-yet-due jobs. Ours vs the baseline, in one run. (Uses the job store
/// directly: the one section that reads an internal seam, kept from before.)
/// </summary>
public static class ReconcilerClaim
{
    private const int Due = 50;
    private const int Rounds = 30;

    public static async Task<ClaimResult> RunAsync(BenchmarkSettings settings, Action<string> log)
    {
        var server = settings.PostgresServer;
        log("claim: warm-up");
        await MeasureAsync(server, settled: 0, notYetDue: 0); // warm-up: JIT, connection pool, EF model
        var baseline = await MeasureAsync(server, settled: 0, notYetDue: 0);
        log($"claim: {Due} due jobs among {settings.ClaimSettledRows} settled and {settings.ClaimNotYetDueRows} not yet due");
        var loaded = await MeasureAsync(server, settings.ClaimSettledRows, settings.ClaimNotYetDueRows);
        return new ClaimResult(Due, settings.ClaimSettledRows, settings.ClaimNotYetDueRows, baseline.TotalMilliseconds, loaded.TotalMilliseconds);
    }

    private static async Task<TimeSpan> MeasureAsync(string server, int settled, int notYetDue)
    {
        var database = $"headshots_bench_{Guid.NewGuid():N}";
        var connection = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
        var options = new DbContextOptionsBuilder<JobsDbContext>().UseNpgsql(connection).Options;
        try
        {
            await using (var db = new JobsDbContext(options))
            {
                await db.Database.EnsureCreatedAsync();
            }

            await SeedAsync(connection, settled, notYetDue);
            var timings = new List<TimeSpan>();
            for (var round = 0; round < Rounds; round++)
            {
                await using var db = new JobsDbContext(options);
                await db.Jobs.Where(j => j.State == JobState.Processing && j.PollAttempts == -1)
                    .ExecuteUpdateAsync(set => set.SetProperty(j => j.NextPollAt, DateTime.UtcNow.AddSeconds(-1)));
                var store = new JobStore(db, TimeProvider.System, Microsoft.Extensions.Options.Options.Create(new HeadShotEvents.Service.Reconciling.ReconcilerOptions()));
                var watch = Stopwatch.StartNew();
                var claimed = await store.ClaimDueAsync(Due, TimeSpan.FromMinutes(1), default);
                watch.Stop();
                if (claimed.Count != Due)
                {
                    throw new InvalidOperationException($"claimed {claimed.Count}, expected {Due}");
                }

                timings.Add(watch.Elapsed);
            }

            return timings.Order().ElementAt(Rounds / 2);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres" }.ConnectionString);
            await admin.OpenAsync();
            await new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin).ExecuteNonQueryAsync();
        }
    }

    // Bulk rows in plain SQL: the due ones are marked PollAttempts = -1 so each round can make them due again.
    private static async Task SeedAsync(string connection, int settled, int notYetDue)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        var sql = $$"""
            INSERT INTO head_shot_jobs ("RequestId","State","CreatedAt","UpdatedAt","Outputs","TerminalEventPending","Version","PollAttempts","NextPollAt")
            SELECT gen_random_uuid(), 'Completed', now(), now(), '{}', false, 0, 0, NULL FROM generate_series(1, {{settled}});
            INSERT INTO head_shot_jobs ("RequestId","State","CreatedAt","UpdatedAt","Outputs","TerminalEventPending","Version","PollAttempts","NextPollAt")
            SELECT gen_random_uuid(), 'Processing', now(), now(), '{}', false, 0, 0, now() + interval '1 hour' FROM generate_series(1, {{notYetDue}});
            INSERT INTO head_shot_jobs ("RequestId","State","CreatedAt","UpdatedAt","Outputs","TerminalEventPending","Version","PollAttempts","NextPollAt")
            SELECT gen_random_uuid(), 'Processing', now(), now(), '{}', false, 0, -1, now() - interval '1 second' FROM generate_series(1, {{Due}});
            ANALYZE head_shot_jobs;
            """;
        await new NpgsqlCommand(sql, db).ExecuteNonQueryAsync();
    }
}
