using Npgsql;

namespace HeadShotEvents.Service.Jobs.GroupCommit;

/// <summary>
/// Every batch writes its rows in key order. A batch is one transaction holding each row's lock
/// until its commit: two batches taking the same two rows in opposite orders (a settle and a
/// Processing record of the same jobs, arriving together) wait on each other until PostgreSQL's
/// deadlock check, a second later, aborts one. Measured end to end: the 99th percentile was that
/// second. In one order, one waits for the other's commit and goes on.
/// </summary>
internal static class LockOrder
{
    /// <summary>The positions of <paramref name="items"/> in the order their rows are to be written.</summary>
    public static int[] Of<T, TKey>(IReadOnlyList<T> items, Func<T, TKey> key) =>
        [.. Enumerable.Range(0, items.Count).OrderBy(i => key(items[i]))];

    /// <summary>Each command's result, back at its request's own position.</summary>
    public static IReadOnlyList<TResult> Back<TResult>(int[] order, NpgsqlBatch batch, Func<NpgsqlBatchCommand, TResult> result)
    {
        var results = new TResult[order.Length];
        for (var k = 0; k < order.Length; k++)
        {
            results[order[k]] = result(batch.BatchCommands[k]);
        }

        return results;
    }

    /// <summary>Results read in write order, back at their requests' own positions.</summary>
    public static IReadOnlyList<TResult> Back<TResult>(int[] order, IReadOnlyList<TResult> inWriteOrder)
    {
        var results = new TResult[order.Length];
        for (var k = 0; k < order.Length; k++)
        {
            results[order[k]] = inWriteOrder[k];
        }

        return results;
    }
}
