using System.Net;
using HeadShotEvents.Service.Callbacks;
using HeadShotEvents.Service.Hosting;
using HeadShotEvents.Service.Jobs;
using HeadShotEvents.Service.Tests.Infrastructure;
using HeadShotEvents.Testing;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static HeadShotEvents.Service.Tests.HostileRequests;

namespace HeadShotEvents.Service.Tests;

/// <summary>What the service does on the configuration it ships with: nothing open, nothing sent anywhere unasked.</summary>
public sealed class ShippedDefaultsTests
{
    [Fact]
    public async Task MassTransit_usage_telemetry_is_off()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { EmbeddedDefaults = true });

        Assert.False(service.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value.Enabled);
    }

    /// <summary>appsettings.json as built, outside Development: what a container runs.</summary>
    [Theory]
    [InlineData("Production")]
    [InlineData("Testing")]
    public void Outside_development_the_configuration_has_no_simulator_no_simulator_key_and_no_development_hosts(string environment)
    {
        var configuration = ShippedConfiguration(environment);

        Assert.False(configuration.Roles().HasFlag(ServiceRoles.Simulator));
        Assert.Equal(ServiceRoles.All, configuration.Roles());
        Assert.Empty(configuration.GetSection("Webhooks:DevelopmentHosts").GetChildren());
        Assert.Empty(configuration.GetSection("Simulator").GetChildren());
        Assert.Null(configuration["ModelsLab:ApiKey"]);
        Assert.Equal("https://modelslab.com/api/v6/", configuration["ModelsLab:BaseUrl"]);
    }

    [Fact]
    public void The_archiver_role_is_not_part_of_All_it_is_a_subscriber()
    {
        Assert.False(ServiceRoles.All.HasFlag(ServiceRoles.Archiver));
        Assert.Equal(ServiceRoles.None, ServiceRoles.All & ServiceRoles.Archiver);
    }

    /// <summary>The downloads of a shipped archiver role would fail closed: no http, no internal addresses.</summary>
    [Theory]
    [InlineData("Production")]
    [InlineData("Testing")]
    public void Outside_development_the_configuration_archives_nothing_and_downloads_nothing_internal(string environment)
    {
        var configuration = ShippedConfiguration(environment);

        Assert.False(configuration.Roles().HasFlag(ServiceRoles.Archiver));
        Assert.Empty(configuration.GetSection("Downloads:DevelopmentHosts").GetChildren());
        Assert.False(configuration.GetValue<bool>("Downloads:AllowInternalAddresses"));
    }

    [Fact]
    public void In_development_the_embedded_profile_archives_from_the_simulator_into_a_local_folder()
    {
        var configuration = ShippedConfiguration("Development");

        Assert.True(configuration.Roles().HasFlag(ServiceRoles.Archiver));
        Assert.Equal(["127.0.0.1"], configuration.GetSection("Downloads:DevelopmentHosts").Get<string[]>() ?? []);
        Assert.True(configuration.GetValue<bool>("Downloads:AllowInternalAddresses"));
        Assert.Equal("Folder", configuration["Storage:Provider"]);
        Assert.Equal("archive", configuration["Storage:Folder:Path"]);
    }

    [Fact]
    public void In_development_the_embedded_profile_runs_the_simulator_with_loopback_outputs()
    {
        var configuration = ShippedConfiguration("Development");

        Assert.True(configuration.Roles().HasFlag(ServiceRoles.Simulator));
        Assert.True(configuration.Roles().HasFlag(ServiceRoles.All));
        Assert.Equal(["127.0.0.1"], configuration.GetSection("Webhooks:DevelopmentHosts").Get<string[]>() ?? []);
        Assert.Equal("sim-key", configuration["ModelsLab:ApiKey"]);
    }

    [Fact]
    public async Task The_built_service_outside_development_serves_no_simulator_route()
    {
        var database = Path.Combine(Path.GetTempPath(), $"headshots-{Guid.NewGuid():N}.db");
        var address = LoopbackPorts.FreeAddress();
        try
        {
            await using (var process = await ServiceProcess.StartAsync(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Jobs"] = $"Data Source={database}",
                ["ModelsLab:ApiKey"] = "a-key-that-is-never-used",
            }, address))
            {
                using var http = new HttpClient { BaseAddress = address };
                using var headShot = await http.PostAsync("api/v6/image_editing/head_shot", new StringContent("{\"key\":\"sim-key\"}", System.Text.Encoding.UTF8, "application/json"));
                using var stats = await http.GetAsync("simulator/admin/stats");
                using var faults = await http.PutAsync("simulator/admin/faults", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

                Assert.Equal(HttpStatusCode.NotFound, headShot.StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, stats.StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, faults.StatusCode);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var path in new[] { database, database + "-wal", database + "-shm" })
            {
                File.Delete(path);
            }
        }
    }

    [Fact]
    public async Task The_simulators_admin_API_inside_the_service_is_internal_like_headshots()
    {
        const string key = "an-internal-api-key-for-this-test";
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            EmbeddedDefaults = true,
            Settings = new Dictionary<string, string?> { ["Api:Key"] = key },
        });

        using var anonymous = await service.HttpClient.GetAsync("simulator/admin/stats");
        using var put = await service.HttpClient.PutAsync("simulator/admin/faults", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        using var withKey = new HttpRequestMessage(HttpMethod.Get, "simulator/admin/stats") { Headers = { { "X-Api-Key", key } } };
        using var admitted = await service.HttpClient.SendAsync(withKey);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
    }

    [Fact]
    public async Task An_output_url_is_published_normalised_never_as_written()
    {
        await using var waiting = await WaitingJob.StartAsync();

        var answer = await PostAsync(waiting, waiting.Token, Callback(waiting, output: Outputs("https://x\uFF0Er2\uFF0Edev/temp/A-0.png")));

        Assert.Equal(HttpStatusCode.OK, answer.Status);
        var job = await waiting.Pipeline.Service.JobAsync(waiting.Job.RequestId);
        Assert.Equal(JobState.Completed, job!.State);
        Assert.Equal(["https://x.r2.dev/temp/A-0.png"], job.Outputs);
    }

    /// <summary>The service's own appsettings files from its build output, as the host layers them.</summary>
    private static IConfiguration ShippedConfiguration(string environment)
    {
        var directory = Path.GetDirectoryName(typeof(WebhookOptions).Assembly.Location)!;
        return new ConfigurationBuilder()
            .SetBasePath(directory)
            .AddJsonFile("appsettings.json", optional: false)
            .AddJsonFile($"appsettings.{environment}.json", optional: true)
            .Build();
    }
}
