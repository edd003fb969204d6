using HeadShotEvents.Service.Jobs.Migrations;
using HeadShotEvents.Service.Jobs.Schema;
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
    /// its schema migrated (or checked, <c>Jobs:Migrate</c>) before anything else starts, a readiness
    /// check, and the Data Protection key ring kept in it so every instance shares the keys that sign
    /// webhook tokens.
    /// </summary>
    public static IHostApplicationBuilder AddJobStore(this IHostApplicationBuilder builder)
    {
        builder.AddJobsDatabase();

        // First of all hosted services, though its Starting phase already runs before any StartAsync.
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, JobStoreStartup>());
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<JobStore>();
        builder.Services.AddSingleton<GroupCommit.HotPathStore>();
        builder.Services.AddSingleton<GroupCommit.SubmitPathStore>();
        builder.Services.AddOptions<GroupCommit.GroupCommitOptions>().BindConfiguration(GroupCommit.GroupCommitOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<Security.FirstKeyBootstrap>();
        builder.Services.AddHealthChecks().AddDbContextCheck<JobsDbContext>("job-store", tags: [ServiceDefaultsExtensions.ReadyTag]);

        builder.Services.AddDataProtection()
            .SetApplicationName("HeadShotEvents")
            .PersistKeysToDbContext<JobsDbContext>()
            .ProtectKeysAtRest(builder.Configuration);

        return builder;
    }

    /// <summary>The database alone (what the <c>migrate</c> verb needs): its context for the configured provider, and its migrator.</summary>
    public static IHostApplicationBuilder AddJobsDatabase(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(JobStoreOptions.Section).Get<JobStoreOptions>() ?? new JobStoreOptions();
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);
        builder.Services.AddOptions<JobStoreOptions>().BindConfiguration(JobStoreOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // One context type per provider, so each finds its own migrations (Jobs/Migrations/). Pooled:
        // building a context's options and internal services cost more CPU per webhook than its
        // statements did (profiled), and every request scope that resolves the store made one.
        if (options.Provider == JobStoreProvider.Postgres)
        {
            builder.Services.AddDbContextPool<JobsDbContext, PostgresJobsDbContext>(db => db.UseNpgsql(PostgresConnections.Tuned(connectionString ?? throw new InvalidOperationException(
                "Jobs:Provider is Postgres but ConnectionStrings:Jobs is not set."))));
        }
        else
        {
            builder.Services.AddDbContextPool<JobsDbContext, SqliteJobsDbContext>(db => db.UseSqlite(connectionString ?? DefaultSqlite));
        }

        builder.Services.AddScoped<SchemaMigrator>();
        return builder;
    }
}
