using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HeadShotEvents.Service.Security;
using HeadShotEvents.Service.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace HeadShotEvents.Service.Tests.JobLog;

/// <summary>The job log, timelines and replay are internal: the API key when one is set, else this machine only.</summary>
public sealed class JobLogAccessTests
{
    private const string ApiKey = "job-log-key-for-this-test-93be";

    [Fact]
    public async Task With_an_api_key_every_operator_route_needs_it()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            UseSqlite = true,
            Roles = "Api",
            Settings = new Dictionary<string, string?> { ["Api:Key"] = ApiKey },
        });
        var job = JobLogSeed.Job(JobLogSeed.Noon);
        await JobLogSeed.AddAsync(service, job);

        foreach (var (method, path) in Routes(job.RequestId))
        {
            using var anonymous = await service.HttpClient.SendAsync(new HttpRequestMessage(method, path));
            using var wrong = await service.HttpClient.SendAsync(new HttpRequestMessage(method, path) { Headers = { { InternalApi.KeyHeader, ApiKey + "x" } } });
            using var held = await service.HttpClient.SendAsync(new HttpRequestMessage(method, path) { Headers = { { InternalApi.KeyHeader, ApiKey } } });

            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            Assert.True(held.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{method} {path}: {held.StatusCode}");
        }
    }

    [Fact]
    public async Task Without_an_api_key_a_caller_from_another_machine_is_refused()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options
        {
            UseSqlite = true,
            Roles = "Api",
            ConfigureServices = services => services.AddSingleton<IStartupFilter>(new FromElsewhere()),
        });
        var job = JobLogSeed.Job(JobLogSeed.Noon);
        await JobLogSeed.AddAsync(service, job);

        foreach (var (method, path) in Routes(job.RequestId))
        {
            using var response = await service.HttpClient.SendAsync(new HttpRequestMessage(method, path));
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Empty(await Timelines.StoredTextAsync(service));
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_operator_routes()
    {
        await using var service = await ServiceApplication.StartAsync(new ServiceApplication.Options { UseSqlite = true, Roles = "Api" });

        var document = await service.HttpClient.GetFromJsonAsync<JsonObject>("openapi/v1.json");

        var paths = document!["paths"]!.AsObject();
        Assert.NotNull(paths["/headshots"]!["get"]);
        Assert.NotNull(paths["/headshots/{requestId}/timeline"]!["get"]);
        Assert.NotNull(paths["/headshots/{requestId}/replay"]!["post"]);
    }

    private static (HttpMethod, string)[] Routes(Guid requestId) =>
        [(HttpMethod.Get, "headshots"), (HttpMethod.Get, $"headshots/{requestId}/timeline"), (HttpMethod.Post, $"headshots/{requestId}/replay")];

    /// <summary>Every request seems to come from a documentation address (TEST-NET-3), not loopback.</summary>
    private sealed class FromElsewhere : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");
                return following(context);
            });
            next(app);
        };
    }
}
