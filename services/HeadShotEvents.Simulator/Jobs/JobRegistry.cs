using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace HeadShotEvents.Simulator.Jobs;

/// <summary>
/// Every job the simulator knows, by id and by output file prefix. A job is forgotten once its
/// outputs have expired: after that ModelsLab would have nothing to show for it either.
/// </summary>
internal sealed class JobRegistry(TimeProvider clock, IOptions<SimulatorOptions> options)
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<long, HeadShotJob> _byId = [];
    private readonly Dictionary<string, HeadShotJob> _byFilePrefix = new(StringComparer.Ordinal);

    // Per key, the jobs still processing, soonest done first: the queue limit is checked by dropping
    // the ones done by now and counting the rest, not by walking every job the simulator knows
    // (that walk was a tenth of the benchmark's service process at 500 requests/s).
    private readonly Dictionary<string, PriorityQueue<long, DateTimeOffset>> _processingByKey = new(StringComparer.Ordinal);
    private long _lastId = options.Value.FirstJobId - 1;
    private DateTimeOffset _lastSweep = clock.GetUtcNow();

    /// <summary>
    /// Creates the job unless the key already has <see cref="SimulatorOptions.QueueLimitPerKey"/>
    /// jobs processing. Check and insert happen under one lock, so concurrent submissions cannot
    /// both slip under the limit.
    /// </summary>
    public bool TryAdmit(
        string apiKey, HeadShotRequest request, string baseUrl, SimulatorFaults faults,
        [NotNullWhen(true)] out HeadShotJob? job)
    {
        var settings = options.Value;
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            SweepExpired(now);
            if (!_processingByKey.TryGetValue(apiKey, out var processing))
            {
                _processingByKey[apiKey] = processing = new();
            }

            while (processing.TryPeek(out _, out var done) && done <= now)
            {
                processing.Dequeue();
            }

            if (processing.Count >= settings.QueueLimitPerKey)
            {
                job = null;
                return false;
            }

            var id = ++_lastId;
            var fate = JobFate.Roll(settings.Seed, id, faults, request.Seed);
            job = new HeadShotJob(id, apiKey, request, fate, faults, baseUrl, now, settings.GenerationTime);
            _byId.Add(id, job);
            _byFilePrefix.Add(fate.FilePrefix, job);
            if (job.StatusAt(now) == JobStatus.Processing)
            {
                processing.Enqueue(id, job.CompletesAt);
            }

            return true;
        }
    }

    public HeadShotJob? Find(long id)
    {
        lock (_gate)
            return _byId.TryGetValue(id, out var job) && !HasExpired(job, clock.GetUtcNow()) ? job : null;
    }

    public HeadShotJob? FindByFilePrefix(string filePrefix)
    {
        lock (_gate)
            return _byFilePrefix.TryGetValue(filePrefix, out var job) && !HasExpired(job, clock.GetUtcNow()) ? job : null;
    }

    private bool HasExpired(HeadShotJob job, DateTimeOffset now) => now >= job.CompletesAt + options.Value.OutputLifetime;

    /// <summary>Keeps a long-running simulator's memory bounded; lookups hide expired jobs anyway.</summary>
    private void SweepExpired(DateTimeOffset now)
    {
        if (now - _lastSweep < SweepInterval)
            return;
        _lastSweep = now;
        foreach (var job in _byId.Values.Where(job => HasExpired(job, now)).ToList())
        {
            _byId.Remove(job.Id);
            _byFilePrefix.Remove(job.Fate.FilePrefix);
        }
    }
}
