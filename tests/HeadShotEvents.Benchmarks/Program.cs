using System.Diagnostics;
using HeadShotEvents.Service.Jobs;
using Microsoft.EntityFrameworkCore;
using Npgsql;

// The reconciler's claim query must cost what the DUE jobs cost, not what all jobs cost: the same
// 50 due jobs are claimed from a table that holds nothing else, then from one that also holds
// 200,000 settled and 20,000 not-yet-due jobs. Ours vs the baseline, in one run.
var server = Environment.GetEnvironmentVariable("POSTGRES_CONNECTION")
    ?? throw new InvalidOperationException("Set POSTGRES_CONNECTION (e.g. Host=127.0.0.1;Username=postgres;Password=postgres).");

const int Due = 50;
const int Rounds = 30;
await MeasureAsync(server, settled: 0, notYetDue: 0); // warm-up: JIT, connection pool, EF model
var baseline = await MeasureAsync(server, settled: 0, notYetDue: 0);
var loaded = await MeasureAsync(server, settled: 200_000, notYetDue: 20_000);
Console.WriteLine($"claim {Due} due jobs, median of {Rounds} rounds:");
Console.WriteLine($"  only the due jobs in the table:              {baseline.TotalMilliseconds,8:F2} ms");
Console.WriteLine($"  plus 200,000 settled and 20,000 not-yet-due: {loaded.TotalMilliseconds,8:F2} ms");
Console.WriteLine($"  ratio: {loaded / baseline:F2}x (1x = cost independent of the jobs that are not due)");

static async Task<TimeSpan> MeasureAsync(string server, int settled, int notYetDue)
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
static async Task SeedAsync(string connection, int settled, int notYetDue)
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
