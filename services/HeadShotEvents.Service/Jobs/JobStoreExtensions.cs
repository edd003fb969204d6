using HeadShotEvents.Service.Security;
using HeadShotEvents.ServiceDefaults;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace HeadShotEvents.Service.Jobs;

public static class JobStoreExtensions
{
    public const string ConnectionStringName = "Jobs";
    private const string DefaultSqlite = "Data Source=headshots.db";

    /// <summary>
    /// The job store on SQLite or PostgreSQL (<c>Jobs:Provider</c>, <c>ConnectionStrings:Jobs</c>),
    /// its schema created at start, a readiness check, and the Data Protection key ring kept in it
    /// so every instance shares the keys that sign webhook tokens.
    /// </summary>
    public static IHostApplicationBuilder AddJobStore(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(JobStoreOptions.Section).Get<JobStoreOptions>() ?? new JobStoreOptions();
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);

        builder.Services.AddDbContext<JobsDbContext>(db =>
        {
            if (options.Provider == JobStoreProvider.Postgres)
            {
                db.UseNpgsql(connectionString ?? throw new InvalidOperationException(
                    "Jobs:Provider is Postgres but ConnectionStrings:Jobs is not set."));
            }
            else
            {
                db.UseSqlite(connectionString ?? DefaultSqlite);
            }
        });

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<JobStore>();
        builder.Services.AddHostedService<JobStoreSchema>();
        builder.Services.AddHostedService<Security.FirstKeyBootstrap>();
        builder.Services.AddHealthChecks().AddDbContextCheck<JobsDbContext>("job-store", tags: [ServiceDefaultsExtensions.ReadyTag]);

        builder.Services.AddDataProtection()
            .SetApplicationName("HeadShotEvents")
            .PersistKeysToDbContext<JobsDbContext>()
            .ProtectKeysAtRest(builder.Configuration);

        return builder;
    }
}
