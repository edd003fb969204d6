using Microsoft.Extensions.Options;

namespace HeadShotEvents.Service.Jobs.Schema;

/// <summary>
/// Makes the job store ready before anything can use it. It runs in the hosts's Starting phase,
/// which ends before ANY hosted service's StartAsync: the bus (so no consumer takes a queued
/// request to a database that is not there), Kestrel (so no endpoint answers), the reconciler and
/// the key ring's first key. If the schema is not one this build can run on, the host does not start.
/// </summary>
internal sealed partial class JobStoreStartup(IServiceScopeFactory scopes, IOptions<JobStoreOptions> options, ILogger<JobStoreStartup> logger)
    : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var migrator = scope.ServiceProvider.GetRequiredService<SchemaMigrator>();
        try
        {
            if (options.Value.Migrate == SchemaMigration.OnStart)
            {
                await migrator.MigrateAsync(cancellationToken);
            }
            else
            {
                await migrator.VerifyCurrentAsync(cancellationToken);
            }
        }
        catch (JobStoreSchemaException ex)
        {
            LogRefused(logger, ex.Message);
            throw;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Critical, Message = "The service will not start: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
