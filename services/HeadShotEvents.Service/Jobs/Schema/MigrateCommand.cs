namespace HeadShotEvents.Service.Jobs.Schema;

/// <summary>
/// <c>HeadShotEvents.Service migrate</c>: applies the job store's migrations and exits, for
/// deployments that migrate as their own step (before rolling out the roles, with <c>Jobs:Migrate=Never</c>).
/// It reads the same configuration as the service and starts nothing else.
/// </summary>
public static partial class MigrateCommand
{
    public const string Verb = "migrate";

    /// <returns>0 when the schema is current; 1 when this build must not migrate it (the reason is logged).</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddJobsDatabase();
        await using var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MigrateCommand).FullName!);
        await using var scope = app.Services.CreateAsyncScope();
        try
        {
            await scope.ServiceProvider.GetRequiredService<SchemaMigrator>().MigrateAsync(CancellationToken.None);
            return 0;
        }
        catch (JobStoreSchemaException ex)
        {
            LogRefused(logger, ex.Message);
            return 1;
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Did not migrate: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
