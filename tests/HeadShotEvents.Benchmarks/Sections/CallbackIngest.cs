using System.Diagnostics;
using HeadShotEvents.Benchmarks.Infrastructure;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Benchmarks.Sections;

public sealed record IngestResult(
    int Jobs, int Connections, HttpLoadResult Http, TimeSpan UntilAllEventsQueued, long CompletedRows,
    uint[] QueueCounts, DrainedQueue[] Drained, int EnvelopeBytes, CpuPerEvent Cpu, WarmUpSummary WarmUp, IReadOnlyList<string> Problems)
{
    /// <summary>Callbacks answered 200 AND their events in both subscriber queues, per second.</summary>
    public double CompletionsPerSecond => Jobs / UntilAllEventsQueued.TotalSeconds;
}

/// <summary>
/// N jobs in Processing with real webhook tokens, one <c>success</c> callback each over real HTTP
/// at a fixed number of connections, against the service with role Receiver; then every job must
/// be Completed and each of two subscriber queues must hold exactly N events, one per job.
/// </summary>
public static class CallbackIngest
{
    private const long MeasuredTrackIds = 100_000_000;

    public static async Task<IngestResult> RunAsync(BenchmarkSettings settings, Action<string> log)
    {
        var prefix = ServiceSettings.NewPrefix();
        var run = Guid.NewGuid();
        string[] queues = [$"{prefix}-subscriber-a", $"{prefix}-subscriber-b"];
        var exchange = Broker.EventExchange(prefix, "HeadShotCompleted");
        await using var broker = await Broker.ConnectAsync(settings.RabbitMqUrl);
        await using var database = await BenchDatabase.CreateAsync(settings.PostgresServer);
        try
        {
            var address = LoopbackPorts.FreeAddress();
            var serviceSettings = ServiceSettings.For("Receiver", address, database, settings.RabbitMqUrl, prefix);
            await using var service = await ServiceHost.StartAsync(address, serviceSettings);
            foreach (var queue in queues)
            {
                await broker.BindQueueAsync(exchange, queue);
            }

            // Measured jobs far above the warm-up's track ids, which grow round by round.
            var jobs = Enumerable.Range(1, settings.Jobs).Select(i => SeededJob.For(MeasuredTrackIds + i, run)).ToList();
            await database.InsertProcessingJobsAsync(jobs);
            using var mint = new TokenMint(serviceSettings);
            var calls = jobs.Select(job => Callbacks.Success(mint.Tokens, job)).ToList();
            using var http = HttpLoad.Client(settings.Connections);

            await using var jit = JitWatch.TryStart(service.ProcessId, log);
            var roundSize = settings.WarmUpRoundCallbacks;
            var warmUp = await WarmUp.UntilJitSettlesAsync(jit, async round =>
            {
                var roundJobs = Enumerable.Range(((round - 1) * roundSize) + 1, roundSize).Select(i => SeededJob.For(i, run)).ToList();
                await database.InsertProcessingJobsAsync(roundJobs);
                await HttpLoad.RunAsync(http, roundJobs.Select(job => Callbacks.Success(mint.Tokens, job)).ToList(), settings.Connections);
                await broker.WaitForCountsAsync(queues, (uint)(round * roundSize), TimeSpan.FromSeconds(60));
                return roundSize;
            }, minRounds: WarmUp.RoundsFor(settings.WarmUpCallbacks, roundSize), settings.MaxWarmUpRounds, "ingest", log);
            await Task.Delay(settings.WarmUpPause); // the JIT's background recompilation catches up
            foreach (var queue in queues)
            {
                await broker.PurgeAsync(queue);
            }

            var cpu = await CpuMeter.ForAsync(service.ProcessId, settings.PostgresAdmin, settings.RabbitMqUrl);
            log($"ingest: {calls.Count} callbacks at {settings.Connections} connections");
            var cpuBefore = cpu.Take();
            var jitBefore = jit?.Take();
            var started = Stopwatch.GetTimestamp();
            var result = await HttpLoad.RunAsync(http, calls, settings.Connections);
            var counts = await broker.WaitForCountsAsync(queues, (uint)calls.Count, TimeSpan.FromSeconds(120));
            var untilQueued = Stopwatch.GetElapsedTime(started);
            var cpuPerCallback = CpuMeter.PerEvent(cpuBefore, cpu.Take(), calls.Count);
            warmUp = warmUp with { Measured = jitBefore is null ? null : jit!.Take().Since(jitBefore) };

            var completed = await database.ScalarAsync(
                $"SELECT count(*) FROM head_shot_jobs WHERE \"State\" = 'Completed' AND \"TrackId\" > {MeasuredTrackIds}");
            var drained = new DrainedQueue[queues.Length];
            for (var i = 0; i < queues.Length; i++)
            {
                drained[i] = await broker.DrainAsync(queues[i]);
            }

            var problems = Verify(settings.Jobs, result, completed, drained);
            return new IngestResult(settings.Jobs, settings.Connections, result, untilQueued, completed, counts, drained,
                drained.Max(d => d.MeanBodyBytes), cpuPerCallback, warmUp, problems);
        }
        finally
        {
            await broker.DeleteQueuesAsync(queues);
            await broker.DeleteExchangesAsync(new[] { "HeadShotCompleted", "HeadShotFailed" }.Select(c => Broker.EventExchange(prefix, c)));
            await broker.DeleteEverythingPrefixedAsync(prefix);
        }
    }

    /// <summary>What makes the figures worthless: a job not Completed, an event missing or twice in a queue, a callback not answered 200.</summary>
    public static IReadOnlyList<string> Verify(int jobs, HttpLoadResult http, long completedRows, IReadOnlyList<DrainedQueue> queues)
    {
        var problems = new List<string>();
        if (http.Ok != jobs)
        {
            problems.Add($"{jobs - http.Ok} of {jobs} callbacks were not answered 200 ({string.Join(", ", http.OtherStatuses.Select(s => $"{s.Key}: {s.Value}"))}).");
        }

        if (completedRows != jobs)
        {
            problems.Add($"{completedRows} of {jobs} jobs are Completed.");
        }

        for (var i = 0; i < queues.Count; i++)
        {
            if (queues[i].Messages != jobs || queues[i].DistinctMessageIds != jobs)
            {
                problems.Add($"subscriber queue {i + 1} held {queues[i].Messages} events ({queues[i].DistinctMessageIds} distinct), expected exactly {jobs}.");
            }
        }

        return problems;
    }
}
