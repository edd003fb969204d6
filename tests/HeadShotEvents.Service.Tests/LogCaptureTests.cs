using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using HeadShotEvents.Service.Security;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HeadShotEvents.Service.Tests;

/// <summary>
/// A whole run, every role in one process, logging at Trace into memory: submit with the API key,
/// ModelsLab's key used and checked, the webhook delivered and replayed, callbacks refused, the key
/// ring sealed with a password-protected certificate, the job store behind a password. No log
/// line (message, structured values or exception) may contain any of those secrets.
/// </summary>
public sealed class LogCaptureTests
{
    [Fact]
    public async Task No_secret_appears_in_any_log_line_of_a_full_run()
    {
        var suffix = Guid.NewGuid().ToString("N");
        var apiKey = "apikey-" + suffix;
        var modelsLabKey = "mlkey-" + suffix;
        var databasePassword = "pgpw-" + suffix;
        var certificatePassword = "pfxpw-" + suffix;
        var certificate = Certificate(certificatePassword);
        var (connection, drop) = await OwnDatabaseAsync(suffix, databasePassword);
        var logs = new CapturedLogs();
        var tokens = new List<string>();
        try
        {
            await using (var service = await ServiceApplication.StartAsync(new ServiceApplication.Options
            {
                EmbeddedDefaults = true,
                Settings = new Dictionary<string, string?>
                {
                    ["Api:Key"] = apiKey,
                    ["ModelsLab:ApiKey"] = modelsLabKey,
                    ["Simulator:ApiKeys:0"] = modelsLabKey,
                    ["Jobs:Provider"] = "Postgres",
                    ["ConnectionStrings:Jobs"] = connection,
                    ["DataProtection:CertificatePath"] = certificate,
                    ["DataProtection:CertificatePassword"] = certificatePassword,
                },
                ConfigureServices = services =>
                {
                    services.AddSingleton<ILoggerProvider>(logs);
                    services.Configure<LoggerFilterOptions>(filters => filters.MinLevel = LogLevel.Trace);
                },
            }))
            {
                var request = Pipeline.Request();
                using (var submit = new HttpRequestMessage(HttpMethod.Post, "headshots") { Content = JsonContent.Create(request, options: new JsonSerializerOptions(JsonSerializerDefaults.Web)) })
                {
                    submit.Headers.Add(InternalApi.KeyHeader, apiKey);
                    Assert.Equal(HttpStatusCode.Accepted, (await service.HttpClient.SendAsync(submit)).StatusCode);
                }

                var job = await Eventually.UntilAsync(() => service.JobAsync(request.RequestId), j => j?.State == Jobs.JobState.Completed,
                    Pipeline.Patience, "the request to complete by webhook");
                var token = SimulatorWebhookToken(service, job!.ModelsLabId!);
                tokens.Add(token);

                // The same callback again, a refused one with its token, a forged one, a wrong API key.
                var body = $$"""{"status":"success","id":{{job.ModelsLabId}},"track_id":"{{job.TrackId}}","output":["https://pub.r2.dev/x.png"]}""";
                Assert.Equal(HttpStatusCode.OK, (await PostAsync(service, token, body)).StatusCode);
                Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PostAsync(service, token, body.Replace("https://pub.r2.dev", "file://", StringComparison.Ordinal))).StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(service, token[..^4], body)).StatusCode);
                using var wrongKey = new HttpRequestMessage(HttpMethod.Get, $"headshots/{request.RequestId}");
                wrongKey.Headers.Add(InternalApi.KeyHeader, apiKey + "-not");
                Assert.Equal(HttpStatusCode.Unauthorized, (await service.HttpClient.SendAsync(wrongKey)).StatusCode);
            }

            Assert.True(logs.Lines.Count > 100, $"only {logs.Lines.Count} log lines were captured");
            string[] secrets = [apiKey, modelsLabKey, databasePassword, certificatePassword, .. tokens, .. tokens.Select(t => t[..^4])];
            var leaks = logs.Lines.Where(line => secrets.Any(secret => line.Contains(secret, StringComparison.Ordinal))).ToList();
            Assert.True(leaks.Count == 0, "secrets in logs:\n" + string.Join("\n", leaks.Take(5)));
        }
        finally
        {
            File.Delete(certificate);
            await drop();
        }
    }

    private static Task<HttpResponseMessage> PostAsync(ServiceApplication service, string token, string body) =>
        service.HttpClient.PostAsync($"webhooks/modelslab/{token}", new StringContent(body, Encoding.UTF8, "application/json"));

    /// <summary>The token the submitter really sent: read from the embedded simulator's record of the request.</summary>
    private static string SimulatorWebhookToken(ServiceApplication service, string modelsLabId)
    {
        var registryType = typeof(Simulator.SimulatorOptions).Assembly.GetType("HeadShotEvents.Simulator.Jobs.JobRegistry", throwOnError: true)!;
        var registry = service.Services.GetRequiredService(registryType);
        var job = registryType.GetMethod("Find")!.Invoke(registry, [long.Parse(modelsLabId, System.Globalization.CultureInfo.InvariantCulture)])!;
        var request = job.GetType().GetProperty("Request")!.GetValue(job)!;
        var webhook = (Uri)request.GetType().GetProperty("Webhook")!.GetValue(request)!;
        return webhook.Segments[^1];
    }

    private static string Certificate(string password)
    {
        using var rsa = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=log capture", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var path = Path.Combine(Path.GetTempPath(), $"logcapture-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    /// <summary>A role of its own with a password only this test knows, and a database it creates.</summary>
    private static async Task<(string Connection, Func<Task> Drop)> OwnDatabaseAsync(string suffix, string password)
    {
        var server = new NpgsqlConnectionStringBuilder(await TestInfrastructure.PostgresServerAsync()) { Database = "postgres" };
        var role = "hs_log_" + suffix[..12];
        var database = "headshots_log_" + suffix[..12];
        await ExecuteAsync(server.ConnectionString, $"CREATE ROLE \"{role}\" LOGIN CREATEDB PASSWORD '{password}'");
        var connection = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database, Username = role, Password = password }.ConnectionString;
        return (connection, async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(server.ConnectionString, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
            await ExecuteAsync(server.ConnectionString, $"DROP ROLE IF EXISTS \"{role}\"");
        });
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
