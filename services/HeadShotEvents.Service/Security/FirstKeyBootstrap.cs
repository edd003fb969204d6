using HeadShotEvents.Service.Jobs;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace HeadShotEvents.Service.Security;

/// <summary>
/// Two roles starting on an empty job store would each create a first key and sign with it at
/// once; each caches its own key ring, and after its first two minutes Data Protection stops
/// re-reading the store when it meets an unknown key, so one role's webhook URLs would be forged
/// in the other's eyes for up to a day. Here the first key is created under a lock that spans
/// processes, by whichever instance gets there first, before any token is minted or read.
/// </summary>
/// <remarks>
/// Later keys do not race this way: Data Protection creates each successor days before it is
/// activated, so every instance has read it long before anyone signs with it. Keys are never
/// deleted from the store, so a token signed with an older key stays readable until it expires.
/// </remarks>
internal sealed partial class FirstKeyBootstrap(IServiceScopeFactory scopes, IKeyManager keys, TimeProvider time, ILogger<FirstKeyBootstrap> logger)
    : IHostedService
{
    /// <summary>An arbitrary constant naming this lock among PostgreSQL advisory locks.</summary>
    private const string TakeLock = "SELECT pg_advisory_lock(5211879621950396721)";
    private const string ReleaseLock = "SELECT pg_advisory_unlock(5211879621950396721)";

    public static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(90);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        await using var held = await LockAsync(db, cancellationToken);
        if (await db.DataProtectionKeys.AnyAsync(cancellationToken))
        {
            return;
        }

        var now = time.GetUtcNow();
        var key = keys.CreateNewKey(now, now + KeyLifetime);
        LogCreated(logger, key.KeyId);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task<IAsyncDisposable> LockAsync(JobsDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
        {
            // Session-level: held on this context's connection until it is released or the connection closes.
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await db.Database.ExecuteSqlRawAsync(TakeLock, cancellationToken);
            }
            catch
            {
                // Cancelled or failed, perhaps after the server granted it: the session must not go back to the pool.
                await PostgresConnections.DropLockedConnectionAsync(db);
                throw;
            }

            return new Release(() => new ValueTask(PostgresConnections.UnlockAsync(db, () => db.Database.ExecuteSqlRawAsync(ReleaseLock, CancellationToken.None))));
        }

        // SQLite: a database file has no lock that outlives one statement, so take one on a file beside it.
        var file = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:")
        {
            return new Release(() => ValueTask.CompletedTask);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                var stream = new FileStream(Path.GetFullPath(file) + ".keyring-lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new Release(() => stream.DisposeAsync());
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
        }
    }

    private sealed class Release(Func<ValueTask> release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => release();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the first Data Protection key {KeyId} of the shared key ring")]
    private static partial void LogCreated(ILogger logger, Guid keyId);
}
