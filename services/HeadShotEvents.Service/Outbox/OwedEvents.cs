namespace HeadShotEvents.Service.Outbox;

/// <summary>
/// Wakes this process's <see cref="EventDispatcher"/> the moment a job becomes terminal, so its
/// event leaves without waiting for the next sweep. Many wakes while the dispatcher is busy
/// collapse into one: it drains everything owed each time it wakes.
/// </summary>
public sealed class OwedEvents
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: the dispatcher will see this job in the same drain.
        }
    }

    /// <summary>Waits for a wake, or for <paramref name="sweep"/> to pass (true when woken).</summary>
    public Task<bool> WaitAsync(TimeSpan sweep, CancellationToken cancellationToken) => _signal.WaitAsync(sweep, cancellationToken);
}
