using HeadShotEvents.Benchmarks.Infrastructure;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Benchmarks.Sections;

public sealed record ScalePoint(int Rows, HttpLoadResult Http, ServiceMemory MemoryBefore, ServiceMemory MemoryAfter);

public sealed record ScaleResult(ScalePoint Small, ScalePoint Large, int Rounds, IReadOnlyList<string> Problems);

/// <summary>
/// The webhook path and the service's memory with few and with very many unsettled jobs in the
/// table: the same measured callbacks, spread over the table, against a table that also holds 1,000
/// or 1,000,000 other jobs in Processing that nothing calls back. Each service is first warmed up
/// until its JIT has settled, with callbacks for jobs of the warm-up's own (see WarmUp).
/// Two services, one per table, measured in alternating rounds: on a shared machine the load
/// drifts, and alternating makes the drift fall on both alike instead of on whichever ran second.
/// </summary>
public static class JobTableScale
{
    private const int Rounds = 5;

    public static async Task<ScaleResult> RunAsync(BenchmarkSettings settings, Action<string> log)
    {
        await using var small = await ScaleTarget.StartAsync(settings, settings.ScaleSmallRows, log);
        await using var large = await ScaleTarget.StartAsync(settings, settings.ScaleLargeRows, log);
        foreach (var target in new[] { small, large })
        {
            // Callbacks for jobs of the warm-up's own (not among the unsettled ones), until the service's JIT has settled.
            await using var jit = JitWatch.TryStart(target.Service.ProcessId, log);
            var warmUp = await WarmUp.UntilJitSettlesAsync(jit, target.WarmUpRoundAsync,
                minRounds: WarmUp.RoundsFor(settings.WarmUpCallbacks, settings.WarmUpRoundCallbacks), settings.MaxWarmUpRounds, "scale", log);
            log($"scale: {target.Unsettled:N0} unsettled: {warmUp}");
        }

        await Task.Delay(settings.WarmUpPause);
        ServiceMemory smallBefore = small.Service.Memory(), largeBefore = large.Service.Memory();

        log($"scale: {settings.ScaleCallbacks} callbacks each at {settings.Connections} connections, in {Rounds} alternating rounds");
        var perRound = Math.Max(1, settings.ScaleCallbacks / Rounds);
        List<HttpLoadResult> smallRuns = [], largeRuns = [];
        for (var round = 0; round < Rounds; round++)
        {
            var count = round == Rounds - 1 ? settings.ScaleCallbacks - (perRound * (Rounds - 1)) : perRound;
            foreach (var target in round % 2 == 0 ? new[] { small, large } : [large, small])
            {
                (target == small ? smallRuns : largeRuns).Add(await target.CallBackAsync(count));
            }
        }

        var points = new[]
        {
            new ScalePoint(settings.ScaleSmallRows, HttpLoadResult.Combine(smallRuns), smallBefore, small.Service.Memory()),
            new ScalePoint(settings.ScaleLargeRows, HttpLoadResult.Combine(largeRuns), largeBefore, large.Service.Memory()),
        };
        var problems = points
            .Where(point => point.Http.Ok != point.Http.Calls)
            .Select(point => $"with {point.Rows} unsettled jobs, {point.Http.Calls - point.Http.Ok} of {point.Http.Calls} callbacks were not answered 200.")
            .ToList();
        return new ScaleResult(points[0], points[1], Rounds, problems);
    }

    /// <summary>One service on a table of its own: the unsettled jobs, and the jobs it will be called back for spread among them.</summary>
    private sealed class ScaleTarget : IAsyncDisposable
    {
        private readonly BenchmarkSettings _settings;
        private readonly List<SeededJob> _targets;
        private readonly string _prefix;
        private int _next;
        private Guid _run;

        /// <summary>Far above the table's own track ids.</summary>
        private const long WarmUpTrackIds = 100_000_000;

        private ScaleTarget(BenchmarkSettings settings, List<SeededJob> targets, string prefix)
        {
            _settings = settings;
            _targets = targets;
            _prefix = prefix;
        }

        public ServiceHost Service { get; private set; } = null!;
        public int Unsettled { get; private init; }
        private Broker _broker = null!;
        private BenchDatabase _database = null!;
        private TokenMint _mint = null!;
        private HttpClient _http = null!;

        public static async Task<ScaleTarget> StartAsync(BenchmarkSettings settings, int unsettled, Action<string> log)
        {
            var run = Guid.NewGuid();
            var called = settings.ScaleCallbacks;
            var total = (long)unsettled + called;
            var stride = total / called;
            var targets = Enumerable.Range(0, called).Select(i => SeededJob.For(1 + (i * stride), run)).ToList();
            var target = new ScaleTarget(settings, targets, ServiceSettings.NewPrefix()) { Unsettled = unsettled, _run = run };
            target._broker = await Broker.ConnectAsync(settings.RabbitMqUrl);
            target._database = await BenchDatabase.CreateAsync(settings.PostgresServer);
            var address = LoopbackPorts.FreeAddress();
            var serviceSettings = ServiceSettings.For("Receiver", address, target._database, settings.RabbitMqUrl, target._prefix);
            target.Service = await ServiceHost.StartAsync(address, serviceSettings);
            log($"scale: {unsettled:N0} unsettled jobs + {called} to call back (COPY)");
            await target._database.InsertProcessingJobsAsync(LongRange(1, total).Select(trackId => SeededJob.For(trackId, run)));
            target._mint = new TokenMint(serviceSettings);
            target._http = HttpLoad.Client(settings.Connections);
            return target;
        }

        public async Task<int> WarmUpRoundAsync(int round)
        {
            var size = _settings.WarmUpRoundCallbacks;
            var jobs = LongRange(WarmUpTrackIds + ((round - 1L) * size) + 1, size).Select(trackId => SeededJob.For(trackId, _run)).ToList();
            await _database.InsertProcessingJobsAsync(jobs);
            await HttpLoad.RunAsync(_http, jobs.Select(job => Callbacks.Success(_mint.Tokens, job)).ToList(), _settings.Connections);
            return size;
        }

        public Task<HttpLoadResult> CallBackAsync(int count)
        {
            var calls = _targets.Skip(_next).Take(count).Select(job => Callbacks.Success(_mint.Tokens, job)).ToList();
            _next += count;
            return HttpLoad.RunAsync(_http, calls, _settings.Connections);
        }

        public async ValueTask DisposeAsync()
        {
            _http?.Dispose();
            _mint?.Dispose();
            if (Service is not null)
            {
                await Service.DisposeAsync();
            }

            if (_database is not null)
            {
                await _database.DisposeAsync();
            }

            if (_broker is not null)
            {
                await _broker.DeleteExchangesAsync(new[] { "HeadShotCompleted", "HeadShotFailed" }.Select(c => Broker.EventExchange(_prefix, c)));
                await _broker.DeleteEverythingPrefixedAsync(_prefix);
                await _broker.DisposeAsync();
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
}
