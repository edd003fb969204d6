using System.Diagnostics;

namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>Percentiles of a set of measured durations, in milliseconds.</summary>
public sealed record LatencySummary(int Count, double P50Ms, double P99Ms, double MaxMs)
{
    public static LatencySummary Of(IEnumerable<long> stopwatchTicks)
    {
        var sorted = stopwatchTicks.Select(ticks => ticks * 1000.0 / Stopwatch.Frequency).Order().ToArray();
        return sorted.Length == 0
            ? new LatencySummary(0, double.NaN, double.NaN, double.NaN)
            : new LatencySummary(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1]);
    }

    /// <summary>Nearest-rank percentile: a value that was actually measured.</summary>
    private static double Percentile(double[] sorted, double share) =>
        sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Length) - 1, 0, sorted.Length - 1)];
}
