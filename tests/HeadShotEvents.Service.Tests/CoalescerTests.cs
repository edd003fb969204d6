using HeadShotEvents.Service.Jobs.GroupCommit;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The coalescer under the webhook's and the submitter's batches and the outbox's deletes: who goes
/// together in which batch, and what a failing batch does to its callers.
/// </summary>
public sealed class CoalescerTests
{
    [Fact]
    public async Task Calls_arriving_while_a_batch_runs_go_together_in_the_next_and_each_gets_its_own_result()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sizes = new List<int>();
        await using var coalescer = new Coalescer<int, int>(async (batch, _) =>
        {
            lock (sizes)
            {
                sizes.Add(batch.Count);
            }

            await gate.Task;
            return [.. batch.Select(x => x * 10)];
        }, maxBatch: 30, concurrentBatches: 1);

        var first = coalescer.RunAsync(0, CancellationToken.None);
        await WaitUntilAsync(() => coalescer.Batches == 1); // the first batch runs, holding the gate
        var rest = Enumerable.Range(1, 49).Select(i => coalescer.RunAsync(i, CancellationToken.None)).ToList();
        gate.SetResult();
        var results = await Task.WhenAll(rest.Prepend(first));

        Assert.Equal(Enumerable.Range(0, 50).Select(x => x * 10), results);
        Assert.Equal([1, 30, 19], sizes); // the lone call went alone; the others by at most 30
        Assert.InRange(coalescer.Requests, 50, 50);
    }

    [Fact]
    public async Task With_a_gathering_window_calls_arriving_within_it_share_the_first_call_s_batch()
    {
        var sizes = new List<int>();
        var coalescer = new Coalescer<int, int>((batch, _) =>
        {
            lock (sizes)
            {
                sizes.Add(batch.Count);
            }

            return Task.FromResult<IReadOnlyList<int>>([.. batch.Select(x => x + 1)]);
        }, maxBatch: 30, concurrentBatches: 1, gather: TimeSpan.FromMinutes(10));

        // Without the window the first call would have run alone long before the others came (100 ms later).
        var first = coalescer.RunAsync(0, CancellationToken.None);
        await Task.Delay(100);
        var rest = Enumerable.Range(1, 4).Select(i => coalescer.RunAsync(i, CancellationToken.None)).ToList();
        await coalescer.DisposeAsync(); // ends the window
        var results = await Task.WhenAll(rest.Prepend(first));

        Assert.Equal([1, 2, 3, 4, 5], results);
        Assert.Equal([5], sizes);
    }

    [Fact]
    public async Task A_batch_that_fills_within_the_gathering_window_goes_at_once()
    {
        await using var coalescer = new Coalescer<int, int>((batch, _) => Task.FromResult<IReadOnlyList<int>>([.. batch]),
            maxBatch: 5, concurrentBatches: 1, gather: TimeSpan.FromMinutes(10));

        var first = coalescer.RunAsync(0, CancellationToken.None);
        await Task.Delay(100); // the runner is waiting out the window for the first call
        var all = Task.WhenAll(Enumerable.Range(1, 4).Select(i => coalescer.RunAsync(i, CancellationToken.None)).Prepend(first));

        // Filled, the batch does not wait out its ten minutes.
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30))));
        var results = await all;
        Assert.Equal([0, 1, 2, 3, 4], results);
        Assert.InRange(coalescer.Batches, 1, 1);
    }

    [Fact]
    public async Task Closing_runs_what_is_gathering_at_once_instead_of_waiting_out_the_window()
    {
        var coalescer = new Coalescer<int, int>((batch, _) => Task.FromResult<IReadOnlyList<int>>([.. batch]),
            maxBatch: 5, concurrentBatches: 1, gather: TimeSpan.FromMinutes(10));
        var call = coalescer.RunAsync(7, CancellationToken.None);
        await Task.Delay(100); // gathering

        var closing = coalescer.DisposeAsync().AsTask();

        Assert.Same(closing, await Task.WhenAny(closing, Task.Delay(TimeSpan.FromSeconds(30))));
        Assert.Equal(7, await call);
        Assert.InRange(coalescer.Batches, 1, 1);
    }

    [Fact]
    public async Task A_batch_that_throws_fails_every_call_in_it_and_the_next_batch_runs()
    {
        var calls = 0;
        await using var coalescer = new Coalescer<int, int>((batch, _) =>
            Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("boom") : Task.FromResult<IReadOnlyList<int>>([.. batch]),
            maxBatch: 10, concurrentBatches: 1);

        await Assert.ThrowsAsync<InvalidOperationException>(() => coalescer.RunAsync(1, CancellationToken.None));
        Assert.Equal(2, await coalescer.RunAsync(2, CancellationToken.None));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition(), "the condition did not come true within 5 s");
    }
}
