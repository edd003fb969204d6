using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Jobs.Migrations;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HeadShotEvents.Service.Tests;

/// <summary>Key-ring fixtures: stores, certificates, the keys as stored, tokens as one instance mints them.</summary>
internal static class KeyRingStores
{
    internal static async Task AgeKeysAsync(ServiceApplication service, Guid retired, Guid successor)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<JobsDbContext>();
        var now = DateTimeOffset.UtcNow;
        foreach (var row in await db.DataProtectionKeys.ToListAsync())
        {
            var xml = System.Xml.Linq.XElement.Parse(row.Xml!);
            var id = Guid.Parse((string)xml.Attribute("id")!);
            var (created, expires) = id == retired ? (now.AddDays(-100), now.AddDays(-1)) : id == successor ? (now.AddDays(-3), now.AddDays(87)) : (now, now);
            xml.Element("creationDate")!.Value = System.Xml.XmlConvert.ToString(created);
            xml.Element("activationDate")!.Value = System.Xml.XmlConvert.ToString(created);
            xml.Element("expirationDate")!.Value = System.Xml.XmlConvert.ToString(expires);
            row.Xml = xml.ToString(System.Xml.Linq.SaveOptions.DisableFormatting);
        }

        await db.SaveChangesAsync();
    }

    internal static async Task<bool> WaitingForAdvisoryLockAsync(NpgsqlConnection connection)
    {
        await using var query = new NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())", connection);
        return (long)(await query.ExecuteScalarAsync())! > 0;
    }

    internal static Guid OtherInstanceCreatesKey(string connection)
    {
        var services = new ServiceCollection();
        services.AddDbContext<JobsDbContext>(db => db.UseNpgsql(connection));
        services.AddDataProtection().SetApplicationName("HeadShotEvents").PersistKeysToDbContext<JobsDbContext>();
        using var provider = services.BuildServiceProvider();
        var now = DateTimeOffset.UtcNow;
        return provider.GetRequiredService<IKeyManager>().CreateNewKey(now, now.AddDays(90)).KeyId;
    }

    internal static WebhookTokens Tokens(ServiceApplication service, TimeSpan mintedAgo = default) => new(
        service.Services.GetRequiredService<IDataProtectionProvider>(),
        service.Services.GetRequiredService<IOptions<WebhookOptions>>(),
        new ShiftedTime(-mintedAgo));

    internal static async Task<List<string>> KeyXmlAsync(ServiceApplication service)
    {
        await using var scope = service.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<JobsDbContext>().DataProtectionKeys.Select(k => k.Xml!).ToListAsync();
    }

    /// <summary>Data Protection's payload header: a 4-byte magic number, then the id of the key that signed it.</summary>
    internal static Guid KeyId(string token) => new(WebEncoders.Base64UrlDecode(token).AsSpan(4, 16));

    internal static (string Path, string Password) Certificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=HeadShotEvents key ring (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var password = "pfx-" + Guid.NewGuid().ToString("N");
        var path = Path.Combine(Path.GetTempPath(), $"keyring-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return (path, password);
    }

    /// <summary>A really empty store (no SQLite file; a PostgreSQL database without a table): a first deployment; or, <paramref name="withSchema"/>, its tables and no key.</summary>
    internal static async Task<(string Connection, Func<Task> Drop)> EmptyStoreAsync(string provider, bool withSchema = false)
    {
        if (provider == "Sqlite")
        {
            var file = Path.Combine(Path.GetTempPath(), $"keyring-race-{Guid.NewGuid():N}.db");
            var sqlite = $"Data Source={file}"; // no file at all: the instances create everything
            if (withSchema)
            {
                // The schema as a release makes it: its migrations (EnsureCreated would make a store no release ever made).
                await using var db = new SqliteJobsDbContext(new DbContextOptionsBuilder<SqliteJobsDbContext>().UseSqlite(sqlite).Options);
                await db.Database.MigrateAsync();
            }

            return (sqlite, () =>
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                foreach (var path in new[] { file, file + "-wal", file + "-shm", file + ".keyring-lock" })
                {
                    File.Delete(path);
                }

                return Task.CompletedTask;
            });
        }

        var server = new NpgsqlConnectionStringBuilder(await TestInfrastructure.PostgresServerAsync());
        var database = $"keyring_{Guid.NewGuid():N}";
        var connection = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString;
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres" }.ConnectionString))
        {
            // A database with no table in it, as an operator provisions one: the instances create the schema.
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        if (withSchema)
        {
            await using var db = new PostgresJobsDbContext(new DbContextOptionsBuilder<PostgresJobsDbContext>().UseNpgsql(connection).Options);
            await db.Database.MigrateAsync();
        }

        return (connection, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres" }.ConnectionString);
            await admin.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", admin);
            await command.ExecuteNonQueryAsync();
        });
    }
}
