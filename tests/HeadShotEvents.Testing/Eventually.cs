namespace HeadShotEvents.Testing;

/// <summary>
/// Polls until a condition holds, with a deadline: for state that has no event to await
/// (a counter, a fetch answer). Fails loudly with the last value seen rather than hanging.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    public static async Task<T> UntilAsync<T>(
        Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? what = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            if (DateTime.UtcNow >= deadline)
                throw new TimeoutException($"{what ?? "The condition"} did not hold within {limit}; last value: {value}");
            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}
