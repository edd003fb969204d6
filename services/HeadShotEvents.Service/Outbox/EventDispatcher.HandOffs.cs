using HeadShotEvents.Service.Jobs.GroupCommit;

namespace HeadShotEvents.Service.Outbox;

public sealed partial class EventDispatcher
{
    /// <summary>
    /// The hand-off path: each event a settle handed over is published on its own as soon as it is
    /// taken, not in a batch that waits for its slowest confirm and its clear before the next starts
    /// (that wait was most of an event's time from settle to subscriber under load). Marks are still
    /// cleared in batches: the clears of events confirmed meanwhile share one statement. At most
    /// <see cref="OutboxOptions.BatchSize"/> publishes are in flight at once.
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

        public HandOffs(EventDispatcher dispatcher, OwedEvents owed, IServiceScopeFactory scopes, TimeProvider time, ILogger logger, OutboxOptions settings)
        {
            _dispatcher = dispatcher;
            _owed = owed;
            _scopes = scopes;
            _time = time;
            _logger = logger;
            _settings = settings;
            _inFlight = new SemaphoreSlim(settings.BatchSize, settings.BatchSize);
            _clears = new Coalescer<OwedEvent, bool>(ClearAsync, settings.BatchSize, concurrentBatches: 1);
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

        /// <summary>Waits for every publish in flight to end (the stop cuts them short; they release their events).</summary>
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
            try
            {
                var left = owed.ClaimedUntil - _settings.ClaimLease / 2 - _time.GetUtcNow().UtcDateTime;
                if (left <= TimeSpan.Zero)
                {
                    await ReleaseAsync(owed, TimeSpan.Zero);
                    _owed.Wake();
                    return;
                }

                using var cut = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                cut.CancelAfter(left);
                if (await _dispatcher.PublishAsync(owed.Job, cut.Token))
                {
                    Interlocked.Increment(ref _dispatcher._handedOff);
                    await _clears.RunAsync(owed, CancellationToken.None);
                }
                else
                {
                    // Failed: a sweep takes it after the retry delay; cut short by the stop: at once.
                    await ReleaseAsync(owed, stoppingToken.IsCancellationRequested ? TimeSpan.Zero : _settings.RetryDelay);
                }
            }
            catch (Exception ex)
            {
                // The mark or the claim could not be written: the claim lapses and a sweep publishes
                // the event again (subscribers see its MessageId twice, never a lost event).
                LogHandOffNotRecorded(_logger, owed.Job.TrackId, ex.GetType().Name);
            }
            finally
            {
                _inFlight.Release();
            }
        }

        private async Task<IReadOnlyList<bool>> ClearAsync(IReadOnlyList<OwedEvent> confirmed, CancellationToken cancellationToken)
        {
            await using var scope = _scopes.CreateAsyncScope();
            // Not the stopping token: a shutdown must still record what the broker already has.
            await scope.ServiceProvider.GetRequiredService<OwedEventStore>().ClearAsync([.. confirmed], CancellationToken.None);
            return [.. confirmed.Select(_ => true)];
        }

        private async Task ReleaseAsync(OwedEvent owed, TimeSpan retryAfter)
        {
            await using var scope = _scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<OwedEventStore>().ReleaseAsync([owed], retryAfter, CancellationToken.None);
        }

        public async ValueTask DisposeAsync()
        {
            await _clears.DisposeAsync();
            _inFlight.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The publish of job {TrackId}'s event could not be recorded ({Error}); its claim lapses and a sweep publishes it again")]
    private static partial void LogHandOffNotRecorded(ILogger logger, long trackId, string error);
}
