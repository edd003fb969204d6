using HeadShotEvents.Benchmarks.Infrastructure;
using HeadShotEvents.Benchmarks.Sections;

namespace HeadShotEvents.Benchmarks.Tests;

/// <summary>The ingest section's check is what makes its figure mean anything: it must catch every way of being wrong.</summary>
public sealed class IngestVerificationTests
{
    private const int Jobs = 100;

    private static HttpLoadResult AllOk(int ok = Jobs) => new(Jobs, ok,
        ok == Jobs ? new Dictionary<int, int>() : new Dictionary<int, int> { [503] = Jobs - ok },
        TimeSpan.FromSeconds(1), new LatencySummary(Jobs, 1, 2, 3));

    private static DrainedQueue Exact => new(Jobs, Jobs, 700);

    [Fact]
    public void A_correct_run_has_no_problems() =>
        Assert.Empty(CallbackIngest.Verify(Jobs, AllOk(), Jobs, [Exact, Exact]));

    [Fact]
    public void A_missing_event_in_one_queue_is_a_problem() =>
        Assert.Single(CallbackIngest.Verify(Jobs, AllOk(), Jobs, [Exact, new DrainedQueue(Jobs - 1, Jobs - 1, 700)]));

    [Fact]
    public void A_duplicate_hiding_a_missing_event_is_a_problem() =>
        Assert.Single(CallbackIngest.Verify(Jobs, AllOk(), Jobs, [new DrainedQueue(Jobs, Jobs - 1, 700), Exact]));

    [Fact]
    public void A_job_left_unsettled_is_a_problem() =>
        Assert.Single(CallbackIngest.Verify(Jobs, AllOk(), Jobs - 1, [Exact, Exact]));

    [Fact]
    public void A_callback_not_answered_200_is_a_problem() =>
        Assert.Single(CallbackIngest.Verify(Jobs, AllOk(ok: Jobs - 1), Jobs, [Exact, Exact]));
}
