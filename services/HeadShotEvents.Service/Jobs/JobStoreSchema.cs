using Microsoft.EntityFrameworkCore;

namespace HeadShotEvents.Service.Jobs;

/// <summary>
/// Creates the schema at start so no deployment needs a manual step. Registered before the bus,
/// and hosted services start in order, so no message is consumed before the tables exist.
/// </summary>
internal sealed class JobStoreSchema(IServiceScopeFactory scopes) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        await db.Database.EnsureCreatedAsync(cancellationToken);
        if (db.Database.IsSqlite())
        {
            // Readers (status API, receiver) must not block the writer of another role in the same file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
