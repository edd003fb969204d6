using HeadShotEvents.Benchmarks.Infrastructure;
using HeadShotEvents.Testing;

namespace HeadShotEvents.Benchmarks.Tests;

/// <summary>The warm-up's rounds: at least the minimum, then until the JIT settles, never past the maximum.</summary>
public sealed class WarmUpTests
{
    [Fact]
    public async Task Without_a_JIT_watch_the_warm_up_runs_its_minimum_and_does_not_claim_to_have_settled()
    {
        var rounds = new List<int>();
        var summary = await WarmUp.UntilJitSettlesAsync(null, round => { rounds.Add(round); return Task.FromResult(10); }, minRounds: 3, maxRounds: 30, "test", _ => { });

        Assert.Equal([1, 2, 3], rounds);
        Assert.Equal(3, summary.Rounds);
        Assert.Equal(30, summary.Units);
        Assert.False(summary.Settled);
        Assert.Contains("JIT not watched", summary.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(15_000, 5_000, 3)]
    [InlineData(7_000, 5_000, 2)]
    [InlineData(30, 5_000, 1)]
    [InlineData(20, 5, 4)]
    [InlineData(7, 5, 2)]
    public void The_minimum_rounds_cover_at_least_the_minimum_warm_up(double minimum, double roundSize, int rounds) =>
        Assert.Equal(rounds, WarmUp.RoundsFor(minimum, roundSize));

    [Fact]
    public async Task A_minimum_above_the_maximum_is_still_run()
    {
        var rounds = 0;
        var summary = await WarmUp.UntilJitSettlesAsync(null, _ => Task.FromResult(++rounds), minRounds: 4, maxRounds: 2, "test", _ => { });

        Assert.Equal(4, rounds);
        Assert.Equal(4, summary.Rounds);
    }

    [Fact]
    public async Task A_watched_process_that_keeps_compiling_is_warmed_up_to_the_maximum_and_reported_unsettled()
    {
        // This test process: each round compiles a new dynamic method, so its JIT never goes quiet.
        await using var jit = JitWatch.TryStart(Environment.ProcessId, _ => { });
        Assert.NotNull(jit);
        // The session's events flow before the rounds start: a stream still starting up would make the
        // first rounds look quiet (settled) however much they compile.
        await Eventually.UntilAsync(() =>
        {
            System.Linq.Expressions.Expression.Lambda<Func<Guid>>(System.Linq.Expressions.Expression.Constant(Guid.NewGuid())).Compile()();
            return Task.FromResult(jit.Take().Methods);
        }, methods => methods > 0, TimeSpan.FromSeconds(30), "the JIT watch's first events");
        var summary = await WarmUp.UntilJitSettlesAsync(jit, async round =>
        {
            var end = DateTime.UtcNow.AddMilliseconds(300);
            var i = 0;
            while (DateTime.UtcNow < end)
            {
                var compiled = System.Linq.Expressions.Expression.Lambda<Func<int>>(System.Linq.Expressions.Expression.Constant(round * 1_000 + i++)).Compile();
                compiled();
            }

            await Task.Delay(50);
            return 1;
        }, minRounds: 1, maxRounds: 3, "test", _ => { });

        Assert.Equal(3, summary.Rounds);
        Assert.False(summary.Settled);
        Assert.InRange(summary.LastRound!.Methods, 1, 10_000_000);
        Assert.True(summary.LastRound.CoreShare >= WarmUp.SettledCoreShare);
        Assert.Contains("NOT settled", summary.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>The benchmark runs the service with the runtime settings the image gives it.</summary>
public sealed class ImageRuntimeSettingsTests
{
    [Fact]
    public void The_images_runtime_settings_are_read_from_its_Dockerfile()
    {
        var settings = RepositoryLayout.ImageRuntimeSettings();

        Assert.Equal("0", Assert.Contains("DOTNET_TC_CallCountingDelayMs", settings));
        Assert.All(settings.Keys, name => Assert.StartsWith("DOTNET_", name, StringComparison.Ordinal));
        Assert.InRange(settings.Count, 1, 20);
    }
}
