using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;

namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>One POST to make.</summary>
public sealed record HttpCall(Uri Url, byte[] Body);

/// <summary>What a closed-loop HTTP run measured.</summary>
public sealed record HttpLoadResult(int Calls, int Ok, IReadOnlyDictionary<int, int> OtherStatuses, TimeSpan Elapsed, LatencySummary Latency)
{
    public double PerSecond => Calls / Elapsed.TotalSeconds;

    /// <summary>Every call's latency in Stopwatch ticks, so runs made in parts can be summarised as one.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<long> LatencyTicks { get; init; } = [];

    public static HttpLoadResult Combine(IReadOnlyList<HttpLoadResult> parts) => new(
        parts.Sum(p => p.Calls),
        parts.Sum(p => p.Ok),
        parts.SelectMany(p => p.OtherStatuses).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Sum(s => s.Value)),
        TimeSpan.FromTicks(parts.Sum(p => p.Elapsed.Ticks)),
        LatencySummary.Of(parts.SelectMany(p => p.LatencyTicks)))
    {
        LatencyTicks = parts.SelectMany(p => p.LatencyTicks).ToArray(),
    };
}

/// <summary>
/// A fixed number of keep-alive connections, each sending its next call as soon as the last one
/// answered (closed loop), as ModelsLab's webhook workers would. Latency is request to full answer.
/// </summary>
public static class HttpLoad
{
    public static HttpClient Client(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    { Timeout = TimeSpan.FromSeconds(60) };

    public static async Task<HttpLoadResult> RunAsync(HttpClient http, IReadOnlyList<HttpCall> calls, int connections)
    {
        var latencies = new long[calls.Count];
        var statuses = new ConcurrentDictionary<int, int>();
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < calls.Count)
            {
                var call = calls[index];
                using var content = new ByteArrayContent(call.Body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var sent = Stopwatch.GetTimestamp();
                int status;
                try
                {
                    using var response = await http.PostAsync(call.Url, content);
                    await response.Content.ReadAsByteArrayAsync();
                    status = (int)response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    status = 0;
                }
                catch (TaskCanceledException)
                {
                    status = -1;
                }

                latencies[index] = Stopwatch.GetTimestamp() - sent;
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var ok = statuses.GetValueOrDefault(200);
        return new HttpLoadResult(calls.Count, ok,
            statuses.Where(s => s.Key != 200).ToDictionary(s => s.Key, s => s.Value), elapsed, LatencySummary.Of(latencies))
        {
            LatencyTicks = latencies,
        };
    }
}
