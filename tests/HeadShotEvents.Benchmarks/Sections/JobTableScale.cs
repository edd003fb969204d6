using HeadShotEvents.Benchmarks.Infrastructure;

namespace HeadShotEvents.Benchmarks.Sections;

public sealed record ScalePoint(int Rows, HttpLoadResult Http, ServiceMemory MemoryBefore, ServiceMemory MemoryAfter);

public sealed record ScaleResult(ScalePoint Small, ScalePoint Large, IReadOnlyList<string> Problems);

/// <summary>
/// The webhook path and the service's memory with few and with very many unsettled jobs in the
/// table: the same callbacks (a warm-up, then the measured ones, spread over the table) against a
/// table that also holds 1,000 or 1,000,000 other jobs in Processing that nothing calls back.
/// </summary>
public static class JobTableScale
{
    public static async Task<ScaleResult> RunAsync(BenchmarkSettings settings, Action<string> log)
    {
        var small = await MeasureAsync(settings, settings.ScaleSmallRows, log);
        var large = await MeasureAsync(settings, settings.ScaleLargeRows, log);
        var problems = new[] { small, large }
            .Where(point => point.Http.Ok != point.Http.Calls)
            .Select(point => $"with {point.Rows} unsettled jobs, {point.Http.Calls - point.Http.Ok} of {point.Http.Calls} callbacks were not answered 200.")
            .ToList();
        return new ScaleResult(small, large, problems);
    }

    private static async Task<ScalePoint> MeasureAsync(BenchmarkSettings settings, int unsettled, Action<string> log)
    {
        var prefix = ServiceSettings.NewPrefix();
        var run = Guid.NewGuid();
        await using var broker = await Broker.ConnectAsync(settings.RabbitMqUrl);
        await using var database = await BenchDatabase.CreateAsync(settings.PostgresServer);
        try
        {
            var address = ServiceHost.FreeLoopbackAddress();
            var serviceSettings = ServiceSettings.For("Receiver", address, database, settings.RabbitMqUrl, prefix);
            await using var service = await ServiceHost.StartAsync(address, serviceSettings);

            // The called-back jobs are spread evenly through the table, the others fill the gaps.
            var called = settings.WarmUpCallbacks + settings.ScaleCallbacks;
            var total = (long)unsettled + called;
            var stride = total / called;
            log($"scale: {unsettled:N0} unsettled jobs + {called} to call back (COPY)");
            await database.InsertProcessingJobsAsync(LongRange(1, total).Select(trackId => SeededJob.For(trackId, run)));
            var targets = Enumerable.Range(0, called).Select(i => SeededJob.For(1 + (i * stride), run)).ToList();

            using var mint = new TokenMint(serviceSettings);
            using var http = HttpLoad.Client(settings.Connections);
            var memoryBefore = service.Memory();
            await HttpLoad.RunAsync(http, targets.Take(settings.WarmUpCallbacks).Select(job => Callbacks.Success(mint.Tokens, job)).ToList(), settings.Connections);
            log($"scale: {settings.ScaleCallbacks} callbacks at {settings.Connections} connections, {unsettled:N0} unsettled");
            var result = await HttpLoad.RunAsync(http, targets.Skip(settings.WarmUpCallbacks).Select(job => Callbacks.Success(mint.Tokens, job)).ToList(), settings.Connections);
            return new ScalePoint(unsettled, result, memoryBefore, service.Memory());
        }
        finally
        {
            await broker.DeleteExchangesAsync(new[] { "HeadShotCompleted", "HeadShotFailed" }.Select(c => Broker.EventExchange(prefix, c)));
            await broker.DeleteEverythingPrefixedAsync(prefix);
        }
    }

    private static IEnumerable<long> LongRange(long first, long count)
    {
        for (var i = first; i < first + count; i++)
        {
            yield return i;
        }
    }
}
