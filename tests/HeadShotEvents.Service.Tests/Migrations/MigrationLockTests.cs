using System.Diagnostics;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.Schema;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace HeadShotEvents.Service.Tests.Migrations;

/// <summary>A migration lock that someone else keeps: the wait ends when Jobs:MigrationLockTimeout says, naming the holder.</summary>
public sealed class MigrationLockTests
{
    private const long MigrationLockKey = 5211879621950396722;

    [Fact]
    public async Task On_PostgreSQL_a_held_migration_lock_fails_the_migration_after_the_timeout_naming_its_holder()
    {
        await using var database = await JobStoreDatabase.NewAsync("Postgres");
        Assert.Equal(0, await MigrateCommand.RunAsync(database.CommandLine));
        var holderName = $"stuck-migrator-{Guid.NewGuid():N}"[..30];
        await using var holder = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = holderName, Pooling = false }.ConnectionString);
        await holder.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey})", holder))
        {
            await take.ExecuteNonQueryAsync();
        }

        var timeout = TimeSpan.FromSeconds(2);
        await using var migrator = MigratorFor(database, timeout);
        var waited = Stopwatch.StartNew();
        // A cap of the test's own: without the bounded wait this would wait as long as the holder.
        var refused = await Assert.ThrowsAsync<JobStoreSchemaException>(() =>
            migrator.Migrator.MigrateAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        waited.Stop();

        Assert.InRange(waited.Elapsed, timeout, timeout + TimeSpan.FromSeconds(8));
        Assert.Contains($"advisory lock {MigrationLockKey}", refused.Message);
        Assert.Contains("Jobs:MigrationLockTimeout", refused.Message);
        Assert.Contains($"pid {holder.ProcessID}", refused.Message);
        Assert.Contains(holderName, refused.Message);
    }

    [Fact]
    public void The_migration_lock_timeout_defaults_to_five_minutes()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), new JobStoreOptions().MigrationLockTimeout);
    }

    /// <summary>The migrator as the service registers it (AddJobsDatabase), with this test's timeout.</summary>
    private static ScopedMigrator MigratorFor(JobStoreDatabase database, TimeSpan timeout)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(database.Settings)
        {
            ["Jobs:MigrationLockTimeout"] = timeout.ToString(),
        });
        builder.AddJobsDatabase();
        var host = builder.Build();
        var scope = host.Services.CreateAsyncScope();
        return new ScopedMigrator(host, scope);
    }

    private sealed class ScopedMigrator(IHost host, AsyncServiceScope scope) : IAsyncDisposable
    {
        public SchemaMigrator Migrator { get; } = scope.ServiceProvider.GetRequiredService<SchemaMigrator>();

        public async ValueTask DisposeAsync()
        {
            await scope.DisposeAsync();
            host.Dispose();
        }
    }
}
