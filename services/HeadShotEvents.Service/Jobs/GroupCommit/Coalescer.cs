using System.Threading.Channels;

namespace HeadShotEvents.Service.Jobs.GroupCommit;

/// <summary>
/// Turns many concurrent calls of one kind into few database round trips: calls that arrive while a
/// batch is running wait for the next batch, which takes all of them (up to a maximum) at once. By
/// default no timer: a lone call goes at once, and batches grow only as far as the load makes them.
/// Work nobody waits on (an owed event's delete once the broker has it) may instead gather for a
/// moment (<c>gather</c>), so a light load still shares statements and commits. Each call gets its
/// own result, or the batch's exception.
/// </summary>
/// <remarks>
/// The webhook path runs two statements per callback (the job's read and its settling write). At a
/// few thousand callbacks a second, each as its own statement and its own commit, the database's
/// per-statement and per-commit work dominated; one statement and one commit per batch cost about
/// as much as one of them.
/// </remarks>
public sealed class Coalescer<TRequest, TResult> : IAsyncDisposable
{
    private readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Func<IReadOnlyList<TRequest>, CancellationToken, Task<IReadOnlyList<TResult>>> _run;
    private readonly int _maxBatch;
    private readonly TimeSpan _gather;
    private TaskCompletionSource _filled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closing;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _runners;
    private long _batches;
    private long _requests;

    /// <param name="run">Runs one batch; returns one result per request, in order.</param>
    /// <param name="maxBatch">The most requests one batch takes.</param>
    /// <param name="concurrentBatches">How many batches may be in flight at once (each on its own connection).</param>
    /// <param name="gather">
    /// How long a free runner that finds calls waiting gives others to join them (unless the batch is
    /// full or the coalescer closes); zero: it takes what is there at once. Calls that come while a
    /// batch runs wait for it, then (fewer than a batch) for the window. Only with one runner: the
    /// signal that ends a window early is the runner's.
    /// </param>
    public Coalescer(
        Func<IReadOnlyList<TRequest>, CancellationToken, Task<IReadOnlyList<TResult>>> run, int maxBatch, int concurrentBatches, TimeSpan gather = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrentBatches, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(gather, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(gather, TimeSpan.FromHours(1));
        if (gather > TimeSpan.Zero && concurrentBatches != 1)
        {
            throw new ArgumentException("A gathering window needs exactly one runner.", nameof(concurrentBatches));
        }
        _run = run;
        _maxBatch = maxBatch;
        _gather = gather;
        _runners = [.. Enumerable.Range(0, concurrentBatches).Select(_ => Task.Run(RunAsync))];
    }

    /// <summary>Batches run so far: with <see cref="Requests"/>, how much gathering the load allowed.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Requests waiting for the next batch.</summary>
    public int Waiting => _pending.Reader.Count;

    /// <summary>Requests run so far, in all batches.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>
    /// Queues the request for the next batch. Cancelled before a batch takes it, it is dropped (never
    /// written); cancelled later, the caller stops waiting but the batch still applies it.
    /// </summary>
    public Task<TResult> RunAsync(TRequest request, CancellationToken cancellationToken)
    {
        var pending = new Pending(request, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        if (!_pending.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(Coalescer<TRequest, TResult>), "The job store is shutting down.");
        }

        if (_gather > TimeSpan.Zero && _pending.Reader.Count >= _maxBatch)
        {
            Volatile.Read(ref _filled).TrySetResult(); // a full batch need not wait out the window
        }

        return pending.Result.Task.WaitAsync(cancellationToken);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_maxBatch);
        var reader = _pending.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (_gather > TimeSpan.Zero && reader.Count < _maxBatch)
            {
                // Until the window ends, the batch is full or the coalescer closes, whichever comes
                // first. The exchange is a full fence: a caller or a close that signals after it
                // signals this batch's source, and one that signalled before it is seen below.
                var filled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Interlocked.Exchange(ref _filled, filled);
                if (Volatile.Read(ref _closing) == 0 && reader.Count < _maxBatch)
                {
                    await Task.WhenAny(filled.Task, Task.Delay(_gather)).ConfigureAwait(false);
                }
            }

            batch.Clear();
            while (batch.Count < _maxBatch && reader.TryRead(out var next))
            {
                if (next.Cancellation.IsCancellationRequested)
                {
                    next.Result.TrySetCanceled(next.Cancellation);
                    continue;
                }

                batch.Add(next);
            }

            if (batch.Count == 0)
            {
                continue; // another runner took them
            }

            Interlocked.Increment(ref _batches);
            Interlocked.Add(ref _requests, batch.Count);
            try
            {
                var results = await _run([.. batch.Select(p => p.Request)], _stopping.Token).ConfigureAwait(false);
                for (var i = 0; i < batch.Count; i++)
                {
                    batch[i].Result.TrySetResult(results[i]);
                }
            }
            catch (BatchPartlyFailed partly)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    if (partly.Errors[i] is { } error)
                    {
                        batch[i].Result.TrySetException(error);
                    }
                    else
                    {
                        batch[i].Result.TrySetResult((TResult)partly.Results[i]!);
                    }
                }
            }
            catch (Exception ex)
            {
                foreach (var pending in batch)
                {
                    pending.Result.TrySetException(ex);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        // What is gathering goes now: a stop does not wait out the window (set with a full fence
        // before the signal, so a runner that starts gathering after it sees it).
        Interlocked.Exchange(ref _closing, 1);
        Volatile.Read(ref _filled).TrySetResult();
        await Task.WhenAll(_runners).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private sealed record Pending(TRequest Request, TaskCompletionSource<TResult> Result, CancellationToken Cancellation);
}

/// <summary>A batch in which some requests failed and others succeeded: each caller gets its own outcome.</summary>
public sealed class BatchPartlyFailed(IReadOnlyList<object?> results, IReadOnlyList<Exception?> errors)
    : Exception($"{errors.Count(e => e is not null)} of {errors.Count} requests in a batch failed.")
{
    /// <summary>Per request: its result where <see cref="Errors"/> has none.</summary>
    public IReadOnlyList<object?> Results { get; } = results;

    /// <summary>Per request: its error, or null.</summary>
    public IReadOnlyList<Exception?> Errors { get; } = errors;
}
