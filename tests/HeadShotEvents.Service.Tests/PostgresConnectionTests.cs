using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// The job store's PostgreSQL connections prepare the statements they run again and again, and are
/// handed back to the pool without Npgsql's reset; a connection string that says otherwise wins.
/// </summary>
public sealed class PostgresConnectionTests
{
    [Fact]
    public void Settings_the_connection_string_leaves_out_are_added()
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnections.Tuned("Host=db.internal;Database=jobs;Username=svc"));

        Assert.Equal(PostgresConnections.AutoPreparedStatements, tuned.MaxAutoPrepare);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal("db.internal", tuned.Host);
        Assert.Equal("jobs", tuned.Database);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0;No Reset On Close=false")]
    [InlineData("Host=db;maxautoprepare=0;NoResetOnClose=false")]
    public void Settings_the_connection_string_names_are_kept(string given)
    {
        var tuned = new NpgsqlConnectionStringBuilder(PostgresConnections.Tuned(given));

        Assert.Equal(0, tuned.MaxAutoPrepare);
        Assert.False(tuned.NoResetOnClose);
    }

    [Fact]
    public async Task The_store_prepares_a_statement_it_runs_again_and_again()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { Roles = "Api" });
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var store = scope.ServiceProvider.GetRequiredService<JobStore>();

        // One physical connection for the whole scope, so what it prepared can be asked of it.
        await db.Database.OpenConnectionAsync();
        for (var i = 0; i < 8; i++)
        {
            Assert.Null(await store.FindAsync(-1 - i, CancellationToken.None));
        }

        var prepared = await db.Database.SqlQueryRaw<string>(
            "SELECT statement AS \"Value\" FROM pg_prepared_statements WHERE statement LIKE '%head_shot_jobs%'").ToListAsync();
        Assert.InRange(prepared.Count, 1, PostgresConnections.AutoPreparedStatements);
        Assert.Contains(prepared, statement => statement.Contains("\"TrackId\" = ", StringComparison.Ordinal));
        Assert.True(new NpgsqlConnectionStringBuilder(db.Database.GetConnectionString()).NoResetOnClose);
    }
}
