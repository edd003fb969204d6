using HeadShotEvents.Service.Jobs.GroupCommit;

namespace HeadShotEvents.Service.Outbox;

public sealed partial class EventDispatcher
{
    /// <summary>
    /// The hand-off path: each event a settle handed over is published on its own as soon as it is
    /// taken, not in a batch that waits for its slowest confirm and its clear before the next starts
    /// (that wait was most of an event's time from settle to subscriber under load). Owed events are
    /// still deleted in batches: the deletes of events confirmed within
    /// <see cref="OutboxOptions.DeleteGathering"/> share one statement (no publish waits for them),
    /// and so do the releases of events not published. At most <see cref="OutboxOptions.BatchSize"/>
    /// publishes are in flight at once. A failed publish stops settles claiming for a retry delay,
    /// so while the broker is away events wait as unclaimed rows for the sweep (which pauses between
    /// tries), not as hand-offs that each fail on their own.
    /// </summary>
    private sealed class HandOffs : IAsyncDisposable
    {
        private readonly EventDispatcher _dispatcher;
        private readonly OwedEvents _owed;
        private readonly IServiceScopeFactory _scopes;
        private readonly TimeProvider _time;
        private readonly ILogger _logger;
        private readonly OutboxOptions _settings;
        private readonly SemaphoreSlim _inFlight;
        private readonly Coalescer<OwedEvent, bool> _clears;
        private readonly Coalescer<(OwedEvent Owed, TimeSpan RetryAfter), bool> _releases;

        public HandOffs(EventDispatcher dispatcher, OwedEvents owed, IServiceScopeFactory scopes, TimeProvider time, ILogger logger, OutboxOptions settings)
        {
            _dispatcher = dispatcher;
            _owed = owed;
            _scopes = scopes;
            _time = time;
            _logger = logger;
            _settings = settings;
            _inFlight = new SemaphoreSlim(settings.BatchSize, settings.BatchSize);
            _clears = new Coalescer<OwedEvent, bool>(ClearAsync, settings.BatchSize, concurrentBatches: 1, gather: settings.DeleteGathering);
            _releases = new Coalescer<(OwedEvent, TimeSpan), bool>(ReleaseAsync, settings.BatchSize, concurrentBatches: 1);
        }

        /// <summary>
        /// Starts a publish for each event handed over by now (what comes meanwhile waits for the
        /// next call, so hand-offs never hold up the sweeps); waits only while the most publishes
        /// allowed are in flight.
        /// </summary>
        public async Task StartAsync(CancellationToken stoppingToken)
        {
            for (var waiting = _owed.HandedOffWaiting; waiting > 0; waiting--)
            {
                await _inFlight.WaitAsync(stoppingToken);
                if (!_owed.TryTakeHandedOff(out var owed))
                {
                    _inFlight.Release();
                    return;
                }

                _ = PublishAsync(owed, stoppingToken);
            }
        }

        /// <summary>
        /// Waits for every publish in flight to end (the stop cuts them short; they release their
        /// events). Deletes of published events may still be gathering: disposing runs them at once.
        /// </summary>
        public async Task StopAsync()
        {
            for (var i = 0; i < _settings.BatchSize; i++)
            {
                await _inFlight.WaitAsync();
            }
        }

        /// <summary>
        /// One event, within the first half of its claim (a publish that hangs must not outlive the
        /// claim, or another dispatcher would publish the same event meanwhile). One that already
        /// waited that long (the broker was down) is released for a sweep rather than published late.
        /// </summary>
        private async Task PublishAsync(OwedEvent owed, CancellationToken stoppingToken)
        {
            var holdsSlot = true;
            try
            {
                var left = owed.ClaimedUntil - _settings.ClaimLease / 2 - _time.GetUtcNow().UtcDateTime;
                if (left <= TimeSpan.Zero)
                {
                    await _releases.RunAsync((owed, TimeSpan.Zero), CancellationToken.None);
                    _owed.Wake();
                    return;
                }

                using var limit = new CancellationTokenSource(left, _time);
                using var cut = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, limit.Token);
                if (await _dispatcher.PublishAsync(owed.Job, cut.Token))
                {
                    Interlocked.Increment(ref _dispatcher._handedOff);
                    // The broker has it: its delete is queued (where disposing the deletes still runs it
                    // at a stop), and its slot goes to the next event while the delete gathers others.
                    var deleted = _clears.RunAsync(owed, CancellationToken.None);
                    holdsSlot = false;
                    _inFlight.Release();
                    await deleted;
                }
                else
                {
                    // Failed: a sweep takes it after the retry delay; cut short by the stop: at once.
                    if (!stoppingToken.IsCancellationRequested)
                    {
                        _owed.Suspend(_settings.RetryDelay);
                    }

                    await _releases.RunAsync((owed, stoppingToken.IsCancellationRequested ? TimeSpan.Zero : _settings.RetryDelay), CancellationToken.None);
                }
            }
            catch (Exception ex)
            {
                // The delete or the release could not be written: the claim lapses and a sweep publishes
                // the event (again, if the broker already had it: subscribers see its MessageId twice).
                LogHandOffNotRecorded(_logger, owed.Job.TrackId, ex);
            }
            finally
            {
                if (holdsSlot)
                {
                    _inFlight.Release();
                }
            }
        }

        private async Task<IReadOnlyList<bool>> ClearAsync(IReadOnlyList<OwedEvent> confirmed, CancellationToken cancellationToken)
        {
            await using var scope = _scopes.CreateAsyncScope();
            // Not the stopping token: a shutdown must still record what the broker already has.
            await scope.ServiceProvider.GetRequiredService<OwedEventStore>().ClearAsync([.. confirmed], CancellationToken.None);
            return [.. confirmed.Select(_ => true)];
        }

        private async Task<IReadOnlyList<bool>> ReleaseAsync(IReadOnlyList<(OwedEvent Owed, TimeSpan RetryAfter)> released, CancellationToken cancellationToken)
        {
            await using var scope = _scopes.CreateAsyncScope();
            var store = scope.ServiceProvider.GetRequiredService<OwedEventStore>();
            foreach (var group in released.GroupBy(r => r.RetryAfter))
            {
                await store.ReleaseAsync([.. group.Select(r => r.Owed)], group.Key, CancellationToken.None);
            }

            return [.. released.Select(_ => true)];
        }

        public async ValueTask DisposeAsync()
        {
            await _clears.DisposeAsync();
            await _releases.DisposeAsync();
            _inFlight.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The hand-off of job {TrackId}'s event could not be recorded as published or released; its claim lapses and a sweep publishes it")]
    private static partial void LogHandOffNotRecorded(ILogger logger, long trackId, Exception exception);
}
