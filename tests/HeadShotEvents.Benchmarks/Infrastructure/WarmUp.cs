using System.Diagnostics;

namespace HeadShotEvents.Benchmarks.Infrastructure;

/// <summary>How a section warmed the service up before its measured window, and what the JIT did in that window.</summary>
public sealed record WarmUpSummary(int Rounds, int Units, TimeSpan Elapsed, JitActivity? LastRound, bool Settled)
{
    /// <summary>The JIT's work during the measured window itself (null: not watched).</summary>
    public JitActivity? Measured { get; init; }

    public override string ToString()
    {
        var state = Settled ? "JIT settled" : LastRound is null ? "JIT not watched" : $"JIT NOT settled ({LastRound} in the last round)";
        var measured = Measured is null ? "" : $"; in the measured window: {Measured}";
        return FormattableString.Invariant($"warm-up {Units} in {Rounds} rounds ({Elapsed.TotalSeconds:F0} s), {state}{measured}");
    }
}

/// <summary>
/// Warm-up in rounds until the service's JIT has settled: two rounds in a row whose compilations took
/// less than <see cref="SettledCoreShare"/> of one core (see <see cref="JitWatch"/>). A production
/// service runs its optimised code; the minutes after a start are a different figure.
/// </summary>
public static class WarmUp
{
    /// <summary>
    /// A warmed-up service still compiles now and then (a rare path, a timer, a larger batch):
    /// 1 to 8% of a core in the windows measured after long warm-ups; 30 to 90% while it warms up.
    /// </summary>
    public const double SettledCoreShare = 0.05;

    /// <summary>
    /// Runs <paramref name="runRound"/> (round N from 1, to its end; it returns how many calls or
    /// requests it made) at least <paramref name="minRounds"/> times, then until the JIT has settled
    /// in two rounds in a row or <paramref name="maxRounds"/> have run. Without a JIT watch (or once
    /// the watched process has gone), the minimum, reported as not settled.
    /// </summary>
    public static async Task<WarmUpSummary> UntilJitSettlesAsync(
        JitWatch? jit, Func<int, Task<int>> runRound, int minRounds, int maxRounds, string section, Action<string> log)
    {
        var started = Stopwatch.GetTimestamp();
        var units = 0;
        var quietInARow = 0;
        JitActivity? last = null;
        var rounds = Math.Max(1, Math.Max(minRounds, maxRounds));
        for (var round = 1; round <= rounds; round++)
        {
            var before = jit?.Take();
            units += await runRound(round);
            last = before is null ? null : (await jit!.TakeAfterFlushAsync()).Since(before);
            var watching = jit?.Watching == true;
            quietInARow = watching && last!.CoreShare < SettledCoreShare ? quietInARow + 1 : 0;
            log($"{section}: warm-up round {round}, {units} so far; {(watching ? last!.ToString() : "JIT not watched")}");
            if (round >= minRounds && (quietInARow >= 2 || !watching))
            {
                return new WarmUpSummary(round, units, Stopwatch.GetElapsedTime(started), watching ? last : null, Settled: quietInARow >= 2);
            }
        }

        return new WarmUpSummary(rounds, units, Stopwatch.GetElapsedTime(started), last, Settled: quietInARow >= 2);
    }

    /// <summary>Rounds of <paramref name="roundSize"/> that cover at least <paramref name="minimum"/>.</summary>
    public static int RoundsFor(double minimum, double roundSize) => Math.Max(1, (int)Math.Ceiling(minimum / roundSize));
}
