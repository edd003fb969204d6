using HeadShotEvents.Testing;
using static HeadShotEvents.Simulator.Tests.ModelsLabCalls;

namespace HeadShotEvents.Simulator.Tests;

public sealed class DeterminismTests
{
    private static readonly SimulatorFaults Coin = new() { ImmediateSuccessShare = 0.5 };

    /// <summary>What chance decided for each of <paramref name="jobs"/> submissions: the answer, the seed, the file name.</summary>
    private static async Task<string[]> DecisionsAsync(int seed, int jobs)
    {
        await using var simulator = await TestSimulator.StartAsync(Coin, options => { options.Seed = seed; options.QueueLimitPerKey = jobs; });
        var decisions = new List<string>();
        for (var i = 0; i < jobs; i++)
        {
            var reply = await simulator.SubmitAsync(HeadShotBody());
            decisions.Add($"{reply.BodyStatus} {reply.Body["meta"]!["seed"]} {reply.Body["meta"]!["file_prefix"]}");
        }
        return decisions.ToArray();
    }

    [Fact]
    public async Task The_same_seed_makes_the_same_decisions()
    {
        var first = await DecisionsAsync(seed: 7, jobs: 16);
        var second = await DecisionsAsync(seed: 7, jobs: 16);

        Assert.Equal(first, second);
        Assert.Contains(first, decision => decision.StartsWith("success"));
        Assert.Contains(first, decision => decision.StartsWith("processing"));
    }

    [Fact]
    public async Task Another_seed_makes_other_decisions()
    {
        var first = await DecisionsAsync(seed: 7, jobs: 16);
        var second = await DecisionsAsync(seed: 8, jobs: 16);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task A_jobs_fate_depends_on_its_id_not_on_what_came_before()
    {
        // Job 5 of a simulator that starts counting at 5 is job 5 of one that started at 1.
        await using var fromOne = await TestSimulator.StartAsync(Coin, options => options.Seed = 3);
        Reply? fifth = null;
        for (var i = 0; i < 5; i++)
            fifth = await fromOne.SubmitAsync(HeadShotBody());

        await using var seeded = await TestSimulator.StartAsync(Coin, options => { options.Seed = 3; options.FirstJobId = 5; });
        var alone = await seeded.SubmitAsync(HeadShotBody());

        Assert.Equal(5, fifth!.Id);
        Assert.Equal(5, alone.Id);
        Assert.Equal(fifth.Body["meta"]!["file_prefix"]!.ToJsonString(), alone.Body["meta"]!["file_prefix"]!.ToJsonString());
        Assert.Equal(fifth.Body["meta"]!["seed"]!.ToJsonString(), alone.Body["meta"]!["seed"]!.ToJsonString());
        Assert.Equal(fifth.BodyStatus, alone.BodyStatus);
    }
}
